--TEST--
Insights: stored in a trained model ($m->insights()), null when left out, and on demand from a file or rows
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$csv = leadscore_root() . '/examples/data/wa_churn.csv';
$ins = Model::insightsOf($csv, ['target' => 'churn', 'bins' => 5, 'topLevels' => 3]);
$names = array_column($ins['columns'], 'name');
var_dump(in_array('tenure', array_slice($names, 0, 6), true), in_array('contract', array_slice($names, 0, 6), true));
var_dump($ins['summary']['rows']);
$rows = [];
for ($i = 0; $i < 300; $i++) {
    $rows[] = ['calls' => $i % 17, 'copy' => $i % 17 > 8 ? 'yes' : 'no', 'won' => $i % 17 > 8 ? 'yes' : 'no'];
}
$leak = Model::insightsOfRows($rows, ['target' => 'won', 'positive' => 'yes']);
$codes = array_map(fn($w) => $w['column'] . ':' . $w['code'], $leak['warnings']);
var_dump(in_array('copy:leak', $codes, true));
$opts = ['target' => 'won', 'positive' => 'yes', 'minRows' => 100, 'minPositives' => 10, 'cv' => 0];
$m = Model::trainRows($rows, $opts);
var_dump($m->insights()['summary']['rows']);
var_dump(Model::fromBytes($m->toBytes())->insights() == $m->insights());
var_dump(Model::trainRows($rows, $opts + ['insights' => false])->insights());
try {
    Model::insightsOf($csv, ['target' => 'churn', 'bins' => 1]);
} catch (LeadScore\InvalidInputException $e) {
    echo get_class($e), ': ', str_contains($e->getMessage(), 'bins') ? 'names bins' : $e->getMessage(), "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
int(7043)
bool(true)
int(300)
bool(true)
NULL
LeadScore\InvalidInputException: names bins
