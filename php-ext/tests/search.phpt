--TEST--
Model::search / searchRows: every trial and the best, the refitted model under 'model', options checked and named
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

// 300 leads (small, so the suite stays quick under valgrind).
$rows = [];
for ($i = 0; $i < 300; $i++) {
    $a = ($i * 7919) % 101;
    $rows[] = ['a' => $a, 'source' => ['web', 'phone', 'ads'][$i % 3],
               'won' => ($a + ($i % 3) * 20 + ($i * 13) % 29 > 80) ? 'yes' : 'no'];
}
$base = ['target' => 'won', 'positive' => 'yes', 'minRows' => 100, 'minPositives' => 10, 'cv' => 2,
         'threads' => 1, 'penalty' => 'l2', 'insights' => false];
$r = Model::searchRows($rows, $base + ['method' => 'random', 'trials' => 3, 'c' => [0.01, 10]]);
var_dump($r['method'], count($r['trials']), $r['stopped'], $r['budget_exhausted'], isset($r['model']));
foreach ($r['trials'] as $t) {
    check($t['error'] === null && $t['roc_auc'] <= $r['best']['roc_auc'], 'trial ' . $t['number']);
    check($t['params']['c'] >= 0.01 && $t['params']['c'] <= 10, 'c in range');
}
$g = Model::searchRows($rows, $base + ['method' => 'grid', 'trials' => 50, 'balance' => 'none', 'c' => [0.1, 10],
                                      'bins' => 10, 'minCount' => 10, 'refit' => true]);
var_dump($g['grid_size'], $g['stopped'], $g['model'] instanceof Model);
var_dump($g['model']->info()['balance'], abs($g['model']->metrics()['roc_auc'] - $g['best']['roc_auc']) < 1e-12);
check($g['model']->score(['a' => 90, 'source' => 'ads']) > 0.5, 'the refitted model scores');

$csv = leadscore_tmpdir() . '/search.csv';
$f = fopen($csv, 'w');
fputcsv($f, ['a', 'source', 'won'], ',', '"', '');
foreach ($rows as $row) {
    fputcsv($f, array_values($row), ',', '"', '');
}
fclose($f);
$file = Model::search($csv, $base + ['method' => 'random', 'trials' => 3, 'c' => [0.01, 10]]);
check(array_column($file['trials'], 'params') == array_column($r['trials'], 'params'), 'a file searches as its rows');

foreach ([['trials' => 0], ['budgetSeconds' => 0], ['method' => 'bayes'], ['c' => [10, 1]]] as $bad) {
    try {
        Model::searchRows($rows, $bad + $base);
        echo "no exception\n";
    } catch (LeadScore\InvalidInputException $e) {
        $key = array_key_first($bad);
        $name = ['trials' => 'trials', 'budgetSeconds' => 'budget_seconds', 'method' => 'search method', 'c' => '"c"'][$key];
        echo get_class($e), ': ', str_contains($e->getMessage(), $name) ? "names $name" : $e->getMessage(), "\n";
    }
}
try {
    Model::searchRows($rows, ['target' => 'won', 'positive' => 'yes']);
} catch (LeadScore\InsufficientDataException $e) {
    echo get_class($e), "\n";
}
leadscore_rmdir(leadscore_tmpdir());
?>
--EXPECT--
string(6) "random"
int(3)
string(6) "trials"
bool(false)
bool(false)
int(6)
string(9) "grid_done"
bool(true)
string(4) "none"
bool(true)
LeadScore\InvalidInputException: names trials
LeadScore\InvalidInputException: names budget_seconds
LeadScore\InvalidInputException: names search method
LeadScore\InvalidInputException: names "c"
LeadScore\InsufficientDataException
