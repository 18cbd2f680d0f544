--TEST--
Model::train with penalty (l1, elasticnet + l1_ratio) and max_features, snake_case or camelCase; info() reports them
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$csv = leadscore_root() . '/examples/data/wa_churn.csv';
$l2 = Model::train($csv, ['target' => 'churn', 'cv' => 0, 'c' => 0.05]);
$l1 = Model::train($csv, ['target' => 'churn', 'cv' => 0, 'c' => 0.05, 'penalty' => 'l1']);
var_dump($l1->info()['penalty'], $l1->info()['l1_ratio']);
var_dump($l1->info()['nonzero_features'] < $l2->info()['nonzero_features']);
$en = Model::train($csv, ['target' => 'churn', 'cv' => 0, 'penalty' => 'elasticnet', 'l1Ratio' => 0.25]);
var_dump($en->info()['penalty'], $en->info()['l1_ratio']);
$pruned = Model::train($csv, ['target' => 'churn', 'cv' => 2, 'threads' => 1, 'maxFeatures' => 5]);
$p = $pruned->info()['pruning'];
var_dump($p['max_features'], $p['features_after'] <= 5, count($p['dropped']) === $p['dropped_count']);
var_dump($p['cv_roc_auc_before'] > 0.7, $p['cv_roc_auc_after'] > 0.7);
var_dump($l2->info()['pruning']);
try {
    Model::train($csv, ['target' => 'churn', 'l1_ratio' => 0.5]);
} catch (LeadScore\InvalidInputException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECT--
string(2) "l1"
float(1)
bool(true)
string(10) "elasticnet"
float(0.25)
int(5)
bool(true)
bool(true)
bool(true)
bool(true)
NULL
LeadScore\InvalidInputException: l1_ratio is for penalty elasticnet (penalty is l2)
