--TEST--
No memory growth: 100,000 score calls, plus explain, scoreBatch, failures and model churn
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$model = Model::load(leadscore_model_path());
$records = leadscore_fixture_records();
$n = count($records);

function run(Model $model, array $records, int $calls): float {
    $sum = 0.0;
    $n = count($records);
    for ($i = 0; $i < $calls; $i++) {
        $sum += $model->score($records[$i % $n]);
    }
    return $sum;
}
run($model, $records, 1000); // warm-up
$before = memory_get_usage();
run($model, $records, 100000);
$growth = memory_get_usage() - $before;
echo "score x100000 growth: ", $growth <= 0 ? 0 : $growth, "\n";

$before = memory_get_usage();
for ($i = 0; $i < 2000; $i++) {
    $model->explain($records[$i % $n], 3);
    $model->scoreDetailed($records[$i % $n]);
    $model->scoreBatch($records);
    try {
        $model->score(['tenure' => 'many', 'contract' => 'x']);
    } catch (LeadScore\InvalidInputException $e) {
    }
    try {
        $model->scoreBatch([['tenure' => [1]]]);
    } catch (LeadScore\InvalidInputException $e) {
    }
}
unset($e);
$growth = memory_get_usage() - $before;
echo "explain/batch/errors x2000 growth: ", $growth <= 0 ? 0 : $growth, "\n";

$bytes = $model->toBytes();
$before = memory_get_usage();
for ($i = 0; $i < 300; $i++) {
    $m = Model::fromBytes($bytes);
    $m->score($records[0]);
    $m->info();
    $m->metrics();
    unset($m);
}
$growth = memory_get_usage() - $before;
echo "model churn x300 growth: ", $growth <= 0 ? 0 : $growth, "\n";
?>
--EXPECT--
score x100000 growth: 0
explain/batch/errors x2000 growth: 0
model churn x300 growth: 0
