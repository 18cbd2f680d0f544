--TEST--
Every exception class, with the C message and the status as the code
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$model = Model::load(leadscore_model_path());
$dir = leadscore_tmpdir();
file_put_contents("$dir/small.csv", "x,y\n1,0\n2,1\n3,0\n4,1\n");

$cases = [
    'wrong value kind' => fn () => $model->score(['tenure' => 'many']),
    'array value' => fn () => $model->score(['tenure' => [1, 2]]),
    'object value' => fn () => $model->explain(['contract' => new stdClass()]),
    'array value, unknown field' => fn () => $model->score(['tags' => ['a']]),
    'batch: array value names the row' => fn () => $model->scoreBatch([['tags' => [1]], ['tenure' => [1]]]),
    'infinite number' => fn () => $model->scoreDetailed(['tenure' => INF]),
    'invalid UTF-8' => fn () => $model->score(['contract' => "\xff"]),
    'batch: not an array' => fn () => $model->scoreBatch([['tenure' => 1], 'oops']),
    'batch: bad value names the row' => fn () => $model->scoreBatch([['tenure' => 1], ['tenure' => 'lots']]),
    'unknown option' => fn () => Model::train("$dir/small.csv", ['target' => 'y', 'colour' => 'red']),
    'bad option value' => fn () => Model::train("$dir/small.csv", ['target' => 'y', 'c' => 'big']),
    'options as a list' => fn () => Model::train("$dir/small.csv", ['y']),
    'no target' => fn () => Model::train("$dir/small.csv", []),
    'unknown target column' => fn () => Model::train("$dir/small.csv", ['target' => 'nope']),
    'insufficient data' => fn () => Model::train("$dir/small.csv", ['target' => 'y']),
    'insufficient rows' => fn () => Model::trainRows([['x' => 1, 'y' => 0], ['x' => 2, 'y' => 1]], ['target' => 'y']),
    'missing file' => fn () => Model::load("$dir/missing.lsm"),
    'missing CSV' => fn () => Model::train("$dir/missing.csv", ['target' => 'y']),
    'save into a missing folder' => fn () => $model->save("$dir/no/such/dir/m.lsm"),
    'not a model' => fn () => Model::fromBytes('definitely not a model'),
    'empty bytes' => fn () => Model::fromBytes(''),
    'a CSV as a model' => fn () => Model::load("$dir/small.csv"),
];
foreach ($cases as $what => $f) {
    try {
        $f();
        echo "$what: no exception\n";
    } catch (LeadScore\Exception $e) {
        printf("%s: %s(%d) %s\n", $what, get_class($e), $e->getCode(), $e->getMessage());
        check($e instanceof RuntimeException, 'RuntimeException');
    }
}
// After failures the model still scores.
var_dump($model->score(['tenure' => 1]) > 0);
leadscore_rmdir($dir);
?>
--EXPECTF--
wrong value kind: LeadScore\InvalidInputException(1) field "tenure": expected a number, got "many"
array value: LeadScore\InvalidInputException(1) field "tenure": array values are not field values (use a number, string, bool or null)
object value: LeadScore\InvalidInputException(1) field "contract": stdClass values are not field values (use a number, string, bool or null)
array value, unknown field: no exception
batch: array value names the row: LeadScore\InvalidInputException(1) line 2, column "tenure": array values are not field values (use a number, string, bool or null)
infinite number: LeadScore\InvalidInputException(1) field "tenure": expected a finite number, got inf
invalid UTF-8: LeadScore\InvalidInputException(1) field "contract": the value is not valid UTF-8
batch: not an array: LeadScore\InvalidInputException(1) lead 1 must be an array of field => value, got string
batch: bad value names the row: LeadScore\InvalidInputException(1) line 2, column "tenure": expected a number, got "lots"
unknown option: LeadScore\InvalidInputException(1) unknown option "colour"; known options: %s
bad option value: LeadScore\InvalidInputException(1) option "c" must be a positive number or "auto", got "big"
options as a list: LeadScore\InvalidInputException(1) options must be an array of name => value, got the index 0
no target: LeadScore\InvalidInputException(1) option "target" is required
unknown target column: LeadScore\InvalidInputException(5) unknown column "nope"%s
insufficient data: LeadScore\InsufficientDataException(3) insufficient data: 4 rows with 2 positives; need at least 2000 rows and 50 positives
insufficient rows: LeadScore\InsufficientDataException(3) insufficient data: 2 rows with 1 positives; need at least 2000 rows and 50 positives
missing file: LeadScore\IoException(4) %s/missing.lsm: No such file or directory (os error 2)
missing CSV: LeadScore\IoException(4) %s/missing.csv: No such file or directory (os error 2)
save into a missing folder: LeadScore\IoException(4) %s/no/such/dir/m.lsm: No such file or directory (os error 2)
not a model: LeadScore\ModelFormatException(2) model format: not a leadscore model (bad magic at byte 0: 64 65 66 69, expected "LSCM")
empty bytes: LeadScore\ModelFormatException(2) model format: truncated: 0 bytes, the header alone is 14
a CSV as a model: LeadScore\ModelFormatException(2) model format: %s/small.csv: not a leadscore model %s
bool(true)
