--TEST--
Model::trainRows with penalty (l1, elasticnet + l1_ratio), max_features and max_model_bytes, snake_case or camelCase; info() reports them
--EXTENSIONS--
leadscore
--FILE--
<?php
use LeadScore\Model;

// 800 leads: two informative numbers, a category, and six noise columns (small, so
// the suite stays quick under valgrind).
function leads(int $n): array {
    $rows = [];
    for ($i = 0; $i < $n; $i++) {
        $a = ($i * 7919) % 101;
        $b = ($i * 104729) % 97;
        $row = ['a' => $a, 'b' => $b, 'source' => ['web', 'phone', 'ads'][$i % 3]];
        for ($k = 0; $k < 6; $k++) {
            $row["noise$k"] = ($i * (31 + 2 * $k)) % 17;
        }
        $row['won'] = ($a + ($i % 3) * 20 + ($i * 13) % 29 > 80) ? 'yes' : 'no';
        $rows[] = $row;
    }
    return $rows;
}
$rows = leads(800);
$base = ['target' => 'won', 'positive' => 'yes', 'minRows' => 100, 'minPositives' => 10, 'cv' => 0,
         'recipe' => "standardize(@numeric)\none_hot(source)", 'insights' => false];
$l2 = Model::trainRows($rows, $base + ['c' => 0.02]);
$l1 = Model::trainRows($rows, $base + ['c' => 0.02, 'penalty' => 'l1']);
var_dump($l1->info()['penalty'], $l1->info()['l1_ratio']);
var_dump($l1->info()['nonzero_features'] < $l2->info()['nonzero_features']);
$en = Model::trainRows($rows, $base + ['penalty' => 'elasticnet', 'l1Ratio' => 0.25]);
var_dump($en->info()['penalty'], $en->info()['l1_ratio']);
$pruned = Model::trainRows($rows, ['cv' => 2, 'threads' => 1, 'max_features' => 3] + $base);
$p = $pruned->info()['pruning'];
var_dump($p['max_features'], $p['features_after'] <= 3, count($p['dropped']) === $p['dropped_count']);
var_dump($p['cv_roc_auc_before'] > 0.6, $p['cv_roc_auc_after'] > 0.6);
var_dump($l2->info()['pruning']);
$sized = Model::trainRows($rows, $base + ['maxModelBytes' => 100000000]);
$s = $sized->info()['pruning'];
var_dump($s['max_model_bytes'], $s['model_bytes'] === strlen($sized->toBytes()), $s['dropped_count']);
try {
    Model::trainRows($rows, $base + ['max_model_bytes' => 100]);
} catch (LeadScore\InvalidInputException $e) {
    echo get_class($e), ': ', substr($e->getMessage(), 0, 53), "\n";
}
try {
    Model::trainRows($rows, $base + ['l1_ratio' => 0.5]);
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
int(3)
bool(true)
bool(true)
bool(true)
bool(true)
NULL
int(100000000)
bool(true)
int(0)
LeadScore\InvalidInputException: max_model_bytes = 100 is less than the smallest model
LeadScore\InvalidInputException: l1_ratio is for penalty elasticnet (penalty is l2)
