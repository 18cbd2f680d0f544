--TEST--
Every cross-language fixture set (tests/fixtures/fixtures.json) through every path of the extension -- score, scoreDetailed, explain, scoreBatch, a Store -- and trained again with Model::train from the set's data and options, the recipe included; and the bad values of tests/fixtures/bad_values.json; the answers are checked by tests/conformance/check.py
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;
use LeadScore\Store;

$root = leadscore_root();
$sets = json_decode(file_get_contents("$root/tests/fixtures/fixtures.json"), true, 512, JSON_THROW_ON_ERROR)['sets'];
$dir = leadscore_tmpdir();

function answers(string $set, string $prefix, Model $model, array $records, string $dir): array {
    $p = fn (callable $f) => array_map($f, $records);
    $out = [
        ['set' => $set, 'path' => "{$prefix}score", 'probabilities' => $p(fn ($r) => $model->score($r))],
        ['set' => $set, 'path' => "{$prefix}detailed", 'probabilities' => $p(fn ($r) => $model->scoreDetailed($r)['probability'])],
        ['set' => $set, 'path' => "{$prefix}explain", 'explain_k3' => $p(fn ($r) => $model->explain($r, 3))],
        ['set' => $set, 'path' => "{$prefix}batch", 'probabilities' => array_values($model->scoreBatch($records))],
    ];
    $store = Store::open("$dir/store-$set-$prefix");
    $store->save('acme', $model);
    $out[] = ['set' => $set, 'path' => "{$prefix}store", 'probabilities' => $p(fn ($r) => $store->score('acme', $r)['probability'])];
    return $out;
}

// tests/fixtures/bad_values.json through score(), scoreBatch() and a Store: the error
// code and message, or the probability beside that of the same lead written plainly.
function native($v) {
    if (is_array($v) && array_keys($v) === ['$number']) {
        return ['inf' => INF, '-inf' => -INF, 'nan' => NAN][$v['$number']];
    }
    return $v;
}
function bad_value_answers(string $root, string $dir): array {
    $doc = json_decode(file_get_contents("$root/tests/fixtures/fixtures.json"), true, 512, JSON_THROW_ON_ERROR);
    $spec = json_decode(file_get_contents("$root/{$doc['bad_values']}"), true, 512, JSON_THROW_ON_ERROR);
    $model = Model::load("$root/{$spec['model']}");
    $store = Store::open("$dir/store-bad-values", ['driftFlushInterval' => null]);
    $store->save('acme', $model);
    $paths = [
        'score' => fn ($r) => $model->score($r),
        'batch' => fn ($r) => $model->scoreBatch([$r])[0],
        'store' => fn ($r) => $store->score('acme', $r)['probability'],
    ];
    $lines = [];
    foreach ($paths as $path => $f) {
        $cases = [];
        foreach ($spec['cases'] as $c) {
            $record = array_map('native', $c['record']);
            $a = ['name' => $c['name'], 'code' => null, 'message' => null, 'probability' => null, 'same_as_probability' => null];
            try {
                $a['probability'] = $f($record);
            } catch (LeadScore\Exception $e) {
                $a['code'] = $e->getCode();
                $a['message'] = $e->getMessage();
            }
            if (array_key_exists('same_as', $c)) {
                $a['same_as_probability'] = $f($c['same_as']);
            }
            $cases[] = $a;
        }
        $lines[] = ['set' => 'bad_values', 'path' => $path, 'cases' => $cases];
    }
    return $lines;
}

$lines = bad_value_answers($root, $dir);
foreach ($sets as $s) {
    $records = array_map(
        fn ($l) => json_decode($l, true, 512, JSON_THROW_ON_ERROR),
        file("$root/{$s['records']}", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES)
    );
    $lines = array_merge($lines, answers($s['name'], '', Model::load("$root/{$s['model']}"), $records, $dir));
    if (isset($s['train'])) {
        $opts = $s['train']['options'] + ['target' => $s['train']['target']];
        if (isset($s['train']['recipe_file'])) {
            $opts['recipe'] = file_get_contents("$root/{$s['train']['recipe_file']}");
        }
        $trained = Model::train("$root/{$s['train']['data']}", $opts);
        $lines = array_merge($lines, answers($s['name'], 'trained_', $trained, $records, $dir));
    }
}
$file = "$dir/php.jsonl";
file_put_contents($file, implode("\n", array_map(fn ($l) => json_encode($l, JSON_THROW_ON_ERROR | JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_UNICODE), $lines)) . "\n");
$cmd = 'python3 ' . escapeshellarg("$root/tests/conformance/check.py") . ' ' . escapeshellarg($file) . ' --binding php 2>&1';
exec($cmd, $output, $status);
echo $status === 0 ? "conformance ok\n" : "FAIL:\n" . implode("\n", $output) . "\n";
exec('rm -rf ' . escapeshellarg($dir));
?>
--EXPECT--
conformance ok
