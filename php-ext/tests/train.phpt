--TEST--
Model::train from a CSV and Model::trainRows from arrays and generators; options in snake_case or camelCase; metrics
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$csv = leadscore_root() . '/examples/data/wa_churn.csv';
$m = Model::train($csv, ['target' => 'churn', 'cv' => 2, 'threads' => 1, 'seed' => 7]);
$metrics = $m->metrics();
var_dump($metrics['cv_folds'], $metrics['roc_auc'] > 0.8, $metrics['baseline']['roc_auc']);
var_dump($m->info()['rows']);

// The same rows as PHP arrays (as a database query returns them: every value a
// string) give the same model.
$fh = fopen($csv, 'r');
$header = fgetcsv($fh);
$rows = [];
while (($r = fgetcsv($fh)) !== false) {
    $rows[] = array_combine($header, $r);
}
fclose($fh);
$fromRows = Model::trainRows($rows, ['target' => 'churn', 'cv' => 2, 'threads' => 1, 'seed' => 7]);
$lead = $rows[10];
var_dump(abs($fromRows->score($lead) - $m->score($lead)) < 1e-9);

// A generator, camelCase options, no cross-validation: metrics() is [].
function leads(int $n): Generator {
    for ($i = 0; $i < $n; $i++) {
        $calls = $i % 13;
        yield ['calls' => $calls, 'source' => ['web', 'phone', 'ads'][$i % 3], 'vip' => $i % 4 === 0,
               'won' => ($calls > 6) === ($i % 5 !== 0) ? 'yes' : 'no', 'note' => null];
    }
}
$g = Model::trainRows(leads(600), ['target' => 'won', 'positive' => 'yes', 'minRows' => 100, 'minPositives' => 10, 'cv' => 0]);
var_dump($g->metrics());
var_dump($g->score(['calls' => 12, 'source' => 'web']) > $g->score(['calls' => 0, 'source' => 'web']));
var_dump(array_values(array_intersect(['calls', 'source', 'vip', 'won'], array_column($g->info()['inputs'], 'name'))));

// A generator that throws: the exception propagates, nothing is trained.
function broken(): Generator {
    yield ['a' => 1];
    throw new DomainException('database went away');
}
try {
    Model::trainRows(broken(), ['target' => 'a']);
} catch (DomainException $e) {
    echo $e->getMessage(), "\n";
}
// A row that is not an array names its position.
try {
    Model::trainRows((function () { yield ['a' => 1]; yield 'x'; })(), ['target' => 'a']);
} catch (LeadScore\InvalidInputException $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
int(2)
bool(true)
float(0.5)
int(7043)
bool(true)
array(0) {
}
bool(true)
array(3) {
  [0]=>
  string(5) "calls"
  [1]=>
  string(6) "source"
  [2]=>
  string(3) "vip"
}
database went away
lead 1 must be an array of field => value, got string
