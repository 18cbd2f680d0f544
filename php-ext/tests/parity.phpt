--TEST--
Parity with the Rust core: the golden model and records give the fixtures' probabilities, scores, labels and reasons to 1e-12, through score, scoreDetailed, explain and scoreBatch
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$records = leadscore_fixture_records();
$expected = leadscore_fixture_expected();
var_dump(count($records), count($records) === count($expected));

function check_model(Model $model, array $records, array $expected, string $how): void {
    foreach ($records as $i => $r) {
        $e = $expected[$i];
        $p = $model->score($r);
        check(abs($p - $e['probability']) <= 1e-12, "$how score $i: $p vs {$e['probability']}");
        $d = $model->scoreDetailed($r);
        check(abs($d['probability'] - $e['probability']) <= 1e-12, "$how detailed $i");
        check($d['score'] === $e['score'] && $d['label'] === $e['label'], "$how score/label $i");
        $x = $model->explain($r, 3);
        check(abs($x['score']['probability'] - $e['probability']) <= 1e-12, "$how explain p $i");
        foreach (['positive', 'negative'] as $side) {
            check(count($x[$side]) === count($e['explain_k3'][$side]), "$how $side count $i");
            foreach ($e['explain_k3'][$side] as $j => $want) {
                $got = $x[$side][$j];
                check($got['field'] === $want['field'] && $got['label'] === $want['label'], "$how $side $i/$j: {$got['label']} vs {$want['label']}");
                check(abs($got['contribution'] - $want['contribution']) <= 1e-12, "$how $side contribution $i/$j");
            }
        }
    }
    // The batch path, keys preserved.
    $keyed = [];
    foreach ($records as $i => $r) {
        $keyed["lead-$i"] = $r;
    }
    $batch = $model->scoreBatch($keyed);
    check(array_keys($batch) === array_keys($keyed), "$how batch keys");
    foreach ($records as $i => $r) {
        check(abs($batch["lead-$i"] - $expected[$i]['probability']) <= 1e-12, "$how batch $i: {$batch["lead-$i"]}");
    }
    check($model->scoreBatch([]) === [], "$how empty batch");
    echo "$how ok\n";
}

$model = Model::load(leadscore_model_path());
check_model($model, $records, $expected, 'load');

// Bytes and files round-trip byte for byte (the golden file is format version 1; the
// bytes are the current version, and read back they give the same bytes).
$bytes = $model->toBytes();
var_dump(unpack('v', $bytes, 4)[1] === 5 && Model::fromBytes($bytes)->toBytes() === $bytes);
check_model(Model::fromBytes($bytes), $records, $expected, 'fromBytes');
$dir = leadscore_tmpdir();
$model->save("$dir/copy.lsm");
var_dump(file_get_contents("$dir/copy.lsm") === $bytes);
check_model(Model::load("$dir/copy.lsm"), $records, $expected, 'saved');
leadscore_rmdir($dir);

// The same lead written the PHP way: ints, numeric strings, bools, nulls, extra fields.
$r = $records[0];
$php = $r;
$php['tenure'] = 1;                 // int instead of 1.0
$php['total_charges'] = '29.85';    // numeric string
$php['paperless_billing'] = true;   // bool for a 0/1 field
$php['phone_service'] = false;
$php['nickname'] = 'ignored';       // unknown field
$php[7] = 'int key, ignored';
var_dump(abs($model->score($php) - $expected[0]['probability']) <= 1e-12);
// null is missing: the same as leaving the field out.
$a = $records[1];
$b = $a;
$a['total_charges'] = null;
unset($b['total_charges']);
var_dump($model->score($a) === $model->score($b));
// References are followed.
$t = 1;
$ref = $records[0];
$ref['tenure'] = &$t;
var_dump(abs($model->score($ref) - $expected[0]['probability']) <= 1e-12);

$info = $model->info();
var_dump($info['target'], $info['features'], count($info['inputs']));
$m = $model->metrics();
var_dump($m['roc_auc'] > 0.8, $m['baseline']['roc_auc']);
$j = json_decode($model->toJson(), true, 512, JSON_THROW_ON_ERROR);
var_dump(count($j['features']), $j['features'][0]['name'], count($j['pipeline']['steps']));
?>
--EXPECT--
int(24)
bool(true)
load ok
bool(true)
fromBytes ok
bool(true)
saved ok
bool(true)
bool(true)
bool(true)
string(5) "churn"
int(51)
int(19)
bool(true)
float(0.5)
int(51)
string(6) "female"
int(19)
