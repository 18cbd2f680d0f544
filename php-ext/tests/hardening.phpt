--TEST--
Hostile and careless input: infinity and empty leads in batches, one meaning per value on every path, extremes in range, crafted files
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;
use LeadScore\Store;

$model = Model::load(leadscore_model_path());
$empty = $model->score([]);
$info = $model->info();
check($info['input_count'] === 19 && count($info['inputs']) === 19, 'info() counts its inputs');

// A batch of empty leads: each scores as the empty lead.
$p = $model->scoreBatch([[], []]);
check(count($p) === 2 && $p[0] === $empty && $p[1] === $empty, 'empty leads score as missing');

// Infinity: refused on the batch path as on the record path, naming the field and the row.
foreach ([INF, -INF] as $x) {
    foreach (['score' => fn () => $model->score(['tenure' => $x]),
              'scoreBatch' => fn () => $model->scoreBatch([['tenure' => 1], ['tenure' => $x]])] as $path => $f) {
        try {
            $f();
            check(false, "$path accepted $x");
        } catch (LeadScore\InvalidInputException $e) {
            check(str_contains($e->getMessage(), 'tenure'), "$path names the field: " . $e->getMessage());
            if ($path === 'scoreBatch') {
                check(str_contains($e->getMessage(), 'line 2'), 'scoreBatch names the row: ' . $e->getMessage());
            }
        }
    }
}

// Finite extremes: a probability in [0, 1] and a score in 1..99.
foreach ([1e308, -1e308, PHP_FLOAT_MAX, PHP_FLOAT_MIN] as $x) {
    $d = $model->scoreDetailed(['tenure' => $x, 'monthly_charges' => $x]);
    check($d['probability'] >= 0 && $d['probability'] <= 1 && $d['score'] >= 1 && $d['score'] <= 99,
          "extreme $x: " . json_encode($d));
    check($model->scoreBatch([['tenure' => $x, 'monthly_charges' => $x]])[0] === $d['probability'], "batch extreme $x");
}

// Booleans for a number: the same on the record and the batch path.
$lead = ['tenure' => true, 'senior_citizen' => false];
check($model->scoreBatch([$lead])[0] === $model->score($lead), 'booleans in a batch as in a record');

// The store reads a lead as Model::score does: NAN is missing, an object is refused.
$root = leadscore_tmpdir() . '/hardening-store';
$store = Store::open($root, ['checkInterval' => 0, 'driftFlushInterval' => null]);
$store->save('acme', $model);
check($store->score('acme', ['tenure' => NAN])['probability'] === $model->score(['tenure' => NAN]), 'store: NAN is missing');
check($store->score('acme', ['tenure' => true])['probability'] === $model->score(['tenure' => true]), 'store: true is 1');
$obj = new class implements JsonSerializable { public function jsonSerialize(): mixed { return 3; } };
foreach (['model' => fn () => $model->score(['tenure' => $obj]),
          'store' => fn () => $store->score('acme', ['tenure' => $obj])] as $path => $f) {
    try {
        $f();
        check(false, "$path accepted an object");
    } catch (LeadScore\InvalidInputException $e) {
        check(str_contains($e->getMessage(), 'tenure'), "$path: " . $e->getMessage());
    }
}
$e = $store->explain('acme', ['tenure' => NAN], 3);
check(isset($e['positive'], $e['negative']), 'store explain takes NAN');

// Training on empty rows: a clear error, not an internal one.
try {
    Model::trainRows([[], [], []], ['target' => 'y']);
    check(false, 'trained on empty rows');
} catch (LeadScore\Exception $e) {
    check($e->getCode() !== 99, 'empty rows: ' . get_class($e) . ' ' . $e->getMessage());
}
// cv that would size a huge allocation: refused up front.
try {
    Model::train(leadscore_root() . '/examples/data/wa_churn.csv', ['target' => 'churn', 'cv' => 1000000000]);
    check(false, 'cv 1e9 accepted');
} catch (LeadScore\InvalidInputException $e) {
    check(str_contains($e->getMessage(), 'cv_folds'), $e->getMessage());
}

// A device that never ends is not read.
try {
    Model::load('/dev/zero');
    check(false, '/dev/zero loaded');
} catch (LeadScore\Exception $e) {
    check(str_contains($e->getMessage(), 'not a model file'), $e->getMessage());
}
leadscore_rmdir($root);
echo "done\n";
?>
--EXPECT--
done
