--TEST--
Model::trainRows with a threshold policy and a time split; evaluation() returns what chose the cut
--EXTENSIONS--
leadscore
--FILE--
<?php
use LeadScore\Model;

// 600 leads over 2024 (small, so the suite stays quick under valgrind).
$rows = [];
for ($i = 0; $i < 600; $i++) {
    $a = ($i * 7919) % 101;
    $rows[] = ['a' => $a, 'b' => ($i * 104729) % 97, 'source' => ['web', 'phone', 'ads'][$i % 3],
               'day' => sprintf('%02d.%02d.2024', 1 + $i % 28, 1 + intdiv($i, 50)),
               'won' => ($a + ($i % 3) * 20 + ($i * 13) % 29 > 80) ? 'yes' : 'no'];
}
$base = ['target' => 'won', 'positive' => 'yes', 'minRows' => 100, 'minPositives' => 10, 'cv' => 2,
         'threads' => 1, 'insights' => false, 'recipe' => "standardize(a)\nstandardize(b)\none_hot(source)"];
$m = Model::trainRows($rows, $base + ['threshold' => 'recall>=0.8', 'challenger' => true]);
$e = $m->evaluation();
var_dump(is_string($e['challenger']['verdict']), $e['challenger']['trees']);
var_dump($e['split'], $e['policy'], $e['threshold'] === $m->info()['threshold'], $e['at_threshold']['recall'] >= 0.8);
var_dump($m->info()['threshold_policy'], count($e['thresholds']) >= 2, count($e['histogram']['positives']));
$t = Model::trainRows($rows, $base + ['timeColumn' => 'day', 'testShare' => 0.25]);
var_dump($t->evaluation()['split'], $t->evaluation()['test_from']);
var_dump(Model::trainRows($rows, ['cv' => 0] + $base)->evaluation());
try {
    Model::trainRows($rows, ['cv' => 0, 'threshold' => 'max_f1'] + $base);
} catch (LeadScore\InvalidInputException $ex) {
    echo get_class($ex), ': ', $ex->getMessage(), "\n";
}
?>
--EXPECT--
bool(true)
int(100)
string(5) "kfold"
string(11) "recall>=0.8"
bool(true)
bool(true)
string(11) "recall>=0.8"
bool(true)
int(20)
string(4) "time"
string(10) "01.10.2024"
NULL
LeadScore\InvalidInputException: threshold policy max_f1 chooses its cut on held-out predictions: set cv to 2 or more, or a time column
