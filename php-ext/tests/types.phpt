--TEST--
Wrong argument types are TypeErrors/ValueErrors; PHP values map to numbers, strings, booleans and missing
--EXTENSIONS--
leadscore
--FILE--
<?php
declare(strict_types=1);
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$model = Model::load(leadscore_model_path());
foreach ([
    fn () => $model->score('tenure=1'),
    fn () => $model->score(null),
    fn () => $model->explain(['tenure' => 1], 'three'),
    fn () => $model->explain(['tenure' => 1], -1),
    fn () => $model->scoreBatch(new ArrayObject([])),
    fn () => Model::load(['a']),
    fn () => Model::load("a\0b"),
    fn () => Model::fromBytes(12),
    fn () => Model::train('x.csv', 'target=y'),
    fn () => Model::trainRows(5, ['target' => 'y']),
    fn () => $model->score(),
] as $f) {
    try {
        $f();
        echo "no error\n";
    } catch (Throwable $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

// Numbers: int and float are the same number; a numeric string is converted where
// the field is numeric (a decimal comma too).
$base = ['contract' => 'Month-to-month'];
$p = fn (array $extra) => $model->score($base + $extra);
var_dump($p(['tenure' => 12]) === $p(['tenure' => 12.0]));
var_dump($p(['tenure' => 12]) === $p(['tenure' => '12']));
var_dump($p(['monthly_charges' => 70.35]) === $p(['monthly_charges' => '70,35']));
// NaN and null and '' are missing.
var_dump($p(['tenure' => NAN]) === $p([]), $p(['tenure' => null]) === $p([]), $p(['tenure' => '']) === $p([]));
// Booleans for boolean fields: true, 1, '1', 'yes' are the same.
var_dump($p(['senior_citizen' => true]) === $p(['senior_citizen' => 1]));
var_dump($p(['senior_citizen' => true]) === $p(['senior_citizen' => 'yes']));
var_dump($p(['senior_citizen' => false]) === $p(['senior_citizen' => 0]));
// Categories: a number written for a category field is its level; an unseen level
// scores as "other" and explain says so.
$x = $model->explain(['contract' => 'Two decades'], 30);
$labels = array_column(array_merge($x['positive'], $x['negative']), 'label');
var_dump(in_array('contract = Two decades (other)', $labels, true));
var_dump(count($model->explain(['tenure' => 1], 0)['positive']));
?>
--EXPECT--
TypeError: LeadScore\Model::score(): Argument #1 ($lead) must be of type array, string given
TypeError: LeadScore\Model::score(): Argument #1 ($lead) must be of type array, null given
TypeError: LeadScore\Model::explain(): Argument #2 ($k) must be of type int, string given
ValueError: LeadScore\Model::explain(): Argument #2 ($k) must be greater than or equal to 0
TypeError: LeadScore\Model::scoreBatch(): Argument #1 ($leads) must be of type array, ArrayObject given
TypeError: LeadScore\Model::load(): Argument #1 ($path) must be of type string, array given
ValueError: LeadScore\Model::load(): Argument #1 ($path) must not contain any null bytes
TypeError: LeadScore\Model::fromBytes(): Argument #1 ($bytes) must be of type string, int given
TypeError: LeadScore\Model::train(): Argument #2 ($options) must be of type array, string given
TypeError: LeadScore\Model::trainRows(): Argument #1 ($rows) must be of type Traversable|array, int given
ArgumentCountError: LeadScore\Model::score() expects exactly 1 argument, 0 given
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
int(0)
