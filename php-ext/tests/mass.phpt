--TEST--
LeadScore\Store::trainTenants(), drift() and markInsufficient(): mass training from PHP, against tests/fixtures/mass.json
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Store;
use LeadScore\Model;

$mass = json_decode(file_get_contents(leadscore_root() . '/tests/fixtures/mass.json'), true);
$brief = fn(array $t): array => ['tenant' => $t['tenant'], 'status' => $t['status'], 'rows' => $t['rows'],
    'positives' => $t['positives'], 'roc_auc' => $t['roc_auc']];
$sorted = function (array $a): array { ksort($a); return $a; };
$matches = function (array $run) use ($mass, $brief, $sorted): bool {
    $got = array_map(fn($t) => $sorted($brief($t)), $run['tenants']);
    $want = array_map($sorted, $mass['tenants']);
    return $got === $want && $sorted($brief($run['global'])) === $sorted($mass['global']);
};
$tmp = leadscore_tmpdir() . '/mass';

// An export, with progress in this request.
$store = Store::open("$tmp/a", ['checkInterval' => 0]);
$seen = [];
$run = $store->trainTenants(leadscore_root() . '/' . $mass['data'], $mass['options'], function (array $p) use (&$seen) {
    $seen[] = $p;
});
check($matches($run), 'the export matches the fixture: ' . json_encode(array_map($brief, $run['tenants'])));
echo implode(',', array_column($seen, 'done')), ' of ', $seen[0]['total'], '; rows ', end($seen)['rows_done'], "\n";
echo implode(' ', array_keys($seen[0])), "\n";
check(is_file("$tmp/a/_training.json"), 'the run report');
echo $store->score('One year', ['tenure' => 3])['source'], ' ', $store->score('Two year', ['tenure' => 3])['fallbackReason'], "\n";

// Rows (a generator of arrays), without a callback: the same outcomes.
$rows = function (int $limit = PHP_INT_MAX) {
    $f = fopen(leadscore_root() . '/examples/data/wa_churn.csv', 'r');
    $head = fgetcsv($f, null, ',', '"', '');
    while ($limit-- > 0 && ($r = fgetcsv($f, null, ',', '"', '')) !== false) {
        yield array_combine($head, $r);
    }
    fclose($f);
};
$run2 = Store::open("$tmp/b")->trainTenants($rows(), $mass['options']);
check($matches($run2), 'rows match the fixture: ' . json_encode(array_map($brief, $run2['tenants'])));
echo count($run2['tenants']), " tenants from rows\n";

// Errors: the option named, the column named, a throwing callback after the run.
foreach ([
    [leadscore_root() . '/' . $mass['data'], ['target' => 'churn', 'by' => 'region']],
    [leadscore_root() . '/' . $mass['data'], ['target' => 'churn', 'by' => 'contract', 'globalMaxRows' => -1]],
    [[['a' => 1, 'y' => 0]], ['target' => 'y']],
    ["$tmp/nope.csv", ['target' => 'y', 'by' => 't']],
] as [$data, $o]) {
    try {
        $store->trainTenants($data, $o);
        echo "no error\n";
    } catch (LeadScore\Exception $e) {
        echo get_class($e), ': ', strtok($e->getMessage(), ';'), "\n";
    }
}
foreach ([42, new stdClass(), null] as $bad) {
    try {
        $store->trainTenants($bad, $mass['options']);
    } catch (TypeError $e) {
        echo $e->getMessage(), "\n";
    }
}
try {
    // 300 rows: every tenant too small, so the run is quick (this suite also runs under valgrind).
    Store::open("$tmp/c")->trainTenants($rows(300), $mass['options'], function () {
        throw new RuntimeException('stop here');
    });
} catch (RuntimeException $e) {
    echo 'callback: ', $e->getMessage(), '; report written: ', var_export(is_file("$tmp/c/_training.json"), true), "\n";
}

// Marking a tenant; drift.
$s = Store::open("$tmp/d", ['checkInterval' => 0, 'driftFlushInterval' => null]);
$s->save('_global', Model::load(leadscore_model_path()));
echo $s->score('newco', ['tenure' => 2])['fallbackReason'], ' -> ';
$s->markInsufficient('newco', 80, 3);
echo $s->score('newco', ['tenure' => 2])['fallbackReason'], "\n";
foreach ([['_global', 0, 0], ['x', 1, 2], ['x', -1, 0]] as [$t, $r, $p]) {
    try {
        $s->markInsufficient($t, $r, $p);
    } catch (LeadScore\InvalidInputException $e) {
        echo 'mark: ', $e->getMessage(), "\n";
    }
}
$d = $s->drift();
echo json_encode(array_map(fn($r) => [$r['tenant'], $r['status']], $d)), "\n";
echo count($s->drift('_global')), "\n";
try {
    $s->drift('..');
} catch (LeadScore\InvalidInputException $e) {
    echo "drift: bad tenant\n";
}
$it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($tmp, FilesystemIterator::SKIP_DOTS),
    RecursiveIteratorIterator::CHILD_FIRST);
foreach ($it as $f) {
    $f->isDir() ? rmdir($f->getPathname()) : unlink($f->getPathname());
}
rmdir($tmp);
echo "done\n";
?>
--EXPECTF--
1,2,3 of 3; rows 7043
done total rows_done elapsed
tenant insufficient_data
3 tenants from rows
LeadScore\InvalidInputException: unknown column "region"
LeadScore\InvalidInputException: option "global_max_rows" must be a non-negative integer, got -1
LeadScore\InvalidInputException: training tenants from a table needs the tenant column (by)
LeadScore\IoException: %s
LeadScore\Store::trainTenants(): Argument #1 ($data) must be of type string|iterable, int given
LeadScore\Store::trainTenants(): Argument #1 ($data) must be of type string|iterable, stdClass given
LeadScore\Store::trainTenants(): Argument #1 ($data) must be of type string|iterable, null given
callback: stop here; report written: true
no_model -> insufficient_data
mark: tenant "_global" cannot be marked: names starting with "_" are reserved for the store
mark: positives (2) cannot exceed rows (1)
mark: rows and positives must be >= 0, got -1 and 0
[["_global","too_few_scores"]]
1
drift: bad tenant
done
