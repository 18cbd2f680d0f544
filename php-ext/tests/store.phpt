--TEST--
LeadScore\Store: tenant models, the _global fallback and why, errors, stats, hot reload, the per-process registry
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Store;
use LeadScore\Model;

$records = leadscore_fixture_records();
$expected = leadscore_fixture_expected();
$root = leadscore_tmpdir() . '/store';
$golden = Model::load(leadscore_model_path());

$store = Store::open($root, ['checkInterval' => 0, 'cacheBytes' => 10_000_000, 'driftFlushInterval' => null]);
$store->save('acme', $golden);
$store->save('globex', $golden, 'lead');
$store->save('_global', $golden);
check(is_file("$root/acme/lead.lsm") && is_file("$root/_global/lead.lsm"), 'files written');

// The tenant's own model: the fixture's probabilities to 1e-12.
$bad = 0;
foreach ($records as $i => $r) {
    $s = $store->score('acme', $r);
    if (abs($s['probability'] - $expected[$i]['probability']) > 1e-12 || $s['score'] !== $expected[$i]['score']
        || $s['label'] !== $expected[$i]['label'] || $s['source'] !== 'tenant' || $s['fallbackReason'] !== null) {
        $bad++;
        echo "record $i: ", json_encode($s), "\n";
    }
}
echo "tenant scores off: $bad\n";
var_dump(array_keys($store->score('acme', $records[0])));

// An unknown tenant: the fallback, no model.
$s = $store->score('initech', $records[3]);
echo $s['source'], ' ', $s['fallbackReason'], "\n";
check(abs($s['probability'] - $expected[3]['probability']) <= 1e-12, 'fallback probability');

// A tenant marked as having too little data.
mkdir("$root/thin");
file_put_contents("$root/thin/lead.json", '{"status":"insufficient_data"}');
$s = $store->score('thin', $records[0]);
echo $s['source'], ' ', $s['fallbackReason'], "\n";

// explain: the explanation plus source and fallbackReason.
$e = $store->explain('thin', $records[0], 3);
echo $e['source'], ' ', $e['fallbackReason'], ' ', count($e['positive']), "\n";
check(!array_key_exists('fallback_reason', $e), 'one spelling of fallbackReason');
$want = $expected[0]['explain_k3'];
check(abs($e['score']['probability'] - $expected[0]['probability']) <= 1e-12, 'explain probability');
foreach ($want['positive'] as $j => $reason) {
    check($e['positive'][$j]['field'] === $reason['field']
        && abs($e['positive'][$j]['contribution'] - $reason['contribution']) <= 1e-12, "explain positive $j");
}
$e = $store->explain('acme', $records[0]);
var_dump($e['source'], $e['fallbackReason']);

// get: the answering model, usable as a Model.
$m = $store->get('nobody');
var_dump($m instanceof Model);
check(abs($m->score($records[5]) - $expected[5]['probability']) <= 1e-12, 'get() model scores');

// Errors.
foreach ([['../etc', 'lead'], ['a/b', 'lead'], ['/abs', 'lead'], ["nul\0x", 'lead'], ['acme', 'x/y']] as [$t, $n]) {
    try {
        $store->score($t, $records[0], $n);
        echo "no error for $t/$n\n";
    } catch (LeadScore\InvalidInputException $e) {
        echo get_class($e), ' ', $e->getCode(), "\n";
    }
}
try {
    $store->score('acme', ['tenure' => 'x']);
} catch (LeadScore\InvalidInputException $e) {
    echo get_class($e), ' ', str_contains($e->getMessage(), 'tenure') ? 'names the field' : $e->getMessage(), "\n";
}
try {
    $store->score('acme', $records[0], 'other');
} catch (LeadScore\NotFoundException $e) {
    echo get_class($e), ' ', $e->getCode(), "\n";
}
$nofb = Store::open($root, ['fallback' => false]);
try {
    $nofb->score('initech', $records[0]);
} catch (LeadScore\NotFoundException $e) {
    echo 'no fallback: ', get_class($e), ' ', $e->getCode(), "\n";
}
try {
    Store::open($root, ['colour' => 1]);
} catch (LeadScore\InvalidInputException $e) {
    echo str_contains($e->getMessage(), 'colour') ? "bad option named\n" : $e->getMessage();
}
try {
    new Store();
} catch (Error $e) {
    echo get_class($e), "\n";
}

// stats count the scores (24 + 1 above, the explain, and the bad record's try does not count).
$st = $store->stats();
echo 'acme scores: ', $st['tenants']['acme']['scores'], ', initech fallbacks: ', $st['tenants']['initech']['fallbacks'], "\n";
check($st['cached_models'] >= 2 && $st['cache_bytes_limit'] === 10_000_000, 'store stats');

// The registry: the same root and options give the same store, even after the object is gone.
unset($store);
$again = Store::open($root, ['checkInterval' => 0, 'cacheBytes' => 10_000_000, 'driftFlushInterval' => null]);
echo 'same store: ', $again->stats()['tenants']['acme']['scores'], "\n";
$other = Store::open($root, ['checkInterval' => 0]);
echo 'other options, fresh store: ', count($other->stats()['tenants']), "\n";

// Replacing a tenant's file on disk is picked up (check interval 0).
$rows = [];
for ($i = 0; $i < 600; $i++) {
    $rows[] = ['calls' => $i % 17, 'won' => ($i % 17) > 8 ? ($i % 5 !== 0) : ($i % 7 === 0)];
}
$small = Model::trainRows($rows, ['target' => 'won', 'cv' => 0, 'minRows' => 100]);
$again->save('beta', $small);
$before = $again->score('globex', $records[0])['probability'];
check(abs($before - $expected[0]['probability']) <= 1e-12, 'before replace');
copy("$root/beta/lead.lsm", "$root/globex/lead.lsm.tmp");
rename("$root/globex/lead.lsm.tmp", "$root/globex/lead.lsm");
$after = $again->score('globex', $records[0])['probability'];
var_dump($after === $small->score($records[0]), abs($after - $before) > 1e-6);
// The model taken before keeps scoring with the old one.
check(abs($m->score($records[5]) - $expected[5]['probability']) <= 1e-12, 'old model kept');

// The empty lead (fixture record 20 is {}).
check(abs($again->score('acme', [])['probability'] - $expected[20]['probability']) <= 1e-12, 'empty lead');

// The registry is bounded (16 stores); more distinct stores still work, each owned by its object.
$ok = 0;
for ($i = 0; $i < 20; $i++) {
    $s = Store::open($root, ['cacheBytes' => 1_000_000 + $i]);
    $ok += abs($s->score('acme', $records[1])['probability'] - $expected[1]['probability']) <= 1e-12 ? 1 : 0;
}
echo "many stores: $ok\n";

$again->flushDrift();
check(is_file("$root/acme/lead.scores.json") || glob("$root/acme/*scores*") !== [], 'drift counts written');

// Clean up the temp folder.
$it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator(leadscore_tmpdir(), FilesystemIterator::SKIP_DOTS), RecursiveIteratorIterator::CHILD_FIRST);
foreach ($it as $f) {
    $f->isDir() ? rmdir($f->getPathname()) : unlink($f->getPathname());
}
rmdir(leadscore_tmpdir());
echo "done\n";
?>
--EXPECT--
tenant scores off: 0
array(5) {
  [0]=>
  string(11) "probability"
  [1]=>
  string(5) "score"
  [2]=>
  string(5) "label"
  [3]=>
  string(6) "source"
  [4]=>
  string(14) "fallbackReason"
}
fallback no_model
fallback insufficient_data
fallback insufficient_data 3
string(6) "tenant"
NULL
bool(true)
LeadScore\InvalidInputException 1
LeadScore\InvalidInputException 1
LeadScore\InvalidInputException 1
LeadScore\InvalidInputException 1
LeadScore\InvalidInputException 1
LeadScore\InvalidInputException names the field
LeadScore\NotFoundException 7
no fallback: LeadScore\NotFoundException 7
bad option named
Error
acme scores: 26, initech fallbacks: 1
same store: 26
other options, fresh store: 0
bool(true)
bool(true)
many stores: 20
done
