<?php
// A real server: `php -S` on 127.0.0.1 with forked workers and the extension loaded,
// a bounded loop of scoring requests (good leads, bad leads, explanations), every
// answer checked against the fixtures, then a check that no worker died.
//
//   php server_test.php /path/to/leadscore.so REPO_ROOT [REQUESTS]
declare(strict_types=1);

[$_, $ext, $root] = $argv + [null, null, null];
$requests = (int)($argv[3] ?? 3000);
if (!$ext || !$root || !is_file($ext)) {
    fwrite(STDERR, "usage: php server_test.php LEADSCORE_SO REPO_ROOT [REQUESTS]\n");
    exit(2);
}
$records = array_map(fn ($l) => json_decode($l, true), file("$root/tests/fixtures/records/wa_churn.jsonl", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES));
$expected = json_decode(file_get_contents("$root/tests/fixtures/expected/wa_churn_v1.json"), true)['scores'];

// A free port on the loopback interface only.
$probe = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
if (!$probe) {
    fwrite(STDERR, "cannot bind 127.0.0.1: $errstr\n");
    exit(1);
}
$port = (int)substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
fclose($probe);

// A store with the golden model as tenant acme's, for the ?store=1 requests.
$storeRoot = sys_get_temp_dir() . '/leadscore-server-store-' . getmypid();
// (This script runs without the extension: the folder is laid out by hand.)
@mkdir("$storeRoot/acme", 0700, true);
copy("$root/tests/fixtures/models/wa_churn_v1.lsm", "$storeRoot/acme/lead.lsm");

$log = tempnam(sys_get_temp_dir(), 'leadscore-server-');
$workers = 4;
// setsid: the server and its forked workers get a process group of their own, which
// $stop ends as a whole (a SIGTERM to the master alone leaves its workers running).
$cmd = ['setsid', PHP_BINARY, '-n', '-d', "extension=$ext", '-S', "127.0.0.1:$port", __DIR__ . '/server_router.php'];
$env = ['LEADSCORE_ROOT' => $root, 'LEADSCORE_STORE' => $storeRoot, 'PHP_CLI_SERVER_WORKERS' => (string)$workers, 'PATH' => getenv('PATH')];
$server = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['file', $log, 'a'], 2 => ['file', $log, 'a']], $pipes, null, $env);
if (!is_resource($server)) {
    fwrite(STDERR, "cannot start php -S\n");
    exit(1);
}
$failures = 0;
$fail = function (string $msg) use (&$failures) {
    $failures++;
    if ($failures <= 20) {
        fwrite(STDERR, "FAIL: $msg\n");
    }
};
require __DIR__ . '/_procs.inc';
// Stops the server's whole process group; fails the test if a process of it is left.
$stop = function () use ($server, $fail) {
    $left = stop_group($server);
    if ($left) {
        $fail('server processes still running after the test: ' . implode(', ', $left));
    }
};

function post(int $port, string $path, string $body): array {
    $ctx = stream_context_create(['http' => [
        'method' => 'POST', 'header' => "Content-Type: application/json\r\nConnection: close\r\n",
        'content' => $body, 'timeout' => 10, 'ignore_errors' => true,
    ]]);
    $resp = @file_get_contents("http://127.0.0.1:$port$path", false, $ctx);
    $status = 0;
    if (isset($http_response_header[0]) && preg_match('/^HTTP\/\S+ (\d+)/', $http_response_header[0], $m)) {
        $status = (int)$m[1];
    }
    return [$status, $resp === false ? null : json_decode($resp, true)];
}

// Wait (bounded) until the server answers.
$ready = false;
for ($i = 0; $i < 100 && !$ready; $i++) {
    usleep(50000);
    $sock = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 0.2);
    if ($sock) {
        fclose($sock);
        $ready = true;
    }
}
if (!$ready) {
    $stop();
    fwrite(STDERR, "the server did not start:\n" . file_get_contents($log));
    exit(1);
}

$pids = [];
$storeCounts = []; // pid => store scores seen so far in that worker
$t0 = hrtime(true);
for ($i = 0; $i < $requests; $i++) {
    $k = $i % count($records);
    if ($i % 10 === 6) {
        [$status, $body] = post($port, '/?store=1', json_encode((object)$records[$k]));
        $pid = $body['pid'] ?? 0;
        $want = ($storeCounts[$pid] ?? 0) + 1;
        if ($status !== 200 || ($body['source'] ?? '') !== 'tenant'
            || abs(($body['probability'] ?? -1) - $expected[$k]['probability']) > 1e-12) {
            $fail("request $i (store): $status " . json_encode($body));
        } elseif (($body['scores'] ?? 0) !== $want) {
            $fail("request $i (store): worker $pid's store counted {$body['scores']} scores, want $want (not kept across requests?)");
        }
        $storeCounts[$pid] = $want;
    } elseif ($i % 10 === 9) {
        [$status, $body] = post($port, '/', json_encode(['tenure' => 'many', 'contract' => ['nested']]));
        if ($status !== 422 || ($body['error'] ?? '') !== 'LeadScore\\InvalidInputException' || ($body['code'] ?? 0) !== 1) {
            $fail("request $i: bad lead gave $status " . json_encode($body));
        }
    } else {
        $explain = $i % 10 === 3;
        [$status, $body] = post($port, $explain ? '/?explain=1' : '/', json_encode((object)$records[$k]));
        if ($status !== 200 || !is_float($body['probability'] ?? null)) {
            $fail("request $i: $status " . json_encode($body));
            continue;
        }
        if (abs($body['probability'] - $expected[$k]['probability']) > 1e-12) {
            $fail("request $i: probability {$body['probability']} vs {$expected[$k]['probability']}");
        }
        if ($explain) {
            $want = $expected[$k]['explain_k3']['positive'];
            $got = $body['explain']['positive'] ?? [];
            if (array_column($got, 'label') !== array_column($want, 'label')) {
                $fail("request $i: explanation differs");
            }
        }
    }
    if (isset($body['pid'])) {
        $pids[$body['pid']] = true;
    }
}
$secs = (hrtime(true) - $t0) / 1e9;

$st = proc_get_status($server);
if (!$st['running']) {
    $fail("the server exited (code {$st['exitcode']})");
}
foreach (array_keys($pids) as $pid) {
    if (!file_exists("/proc/$pid")) {
        $fail("worker $pid is gone");
    }
}
if (max($storeCounts ?: [0]) < 2) {
    $fail('no worker served two store requests: persistence across requests not shown');
}
$stop();
foreach (['acme', '_global', ''] as $d) {
    foreach (glob("$storeRoot/$d/*") ?: [] as $f) {
        is_file($f) && unlink($f);
    }
    $d !== '' && @rmdir("$storeRoot/$d");
}
@rmdir($storeRoot);
$text = file_get_contents($log);
unlink($log);
if (preg_match('/segmentation|signal|core dumped|fatal error|panick/i', $text)) {
    $fail("the server log reports a crash:\n$text");
}
printf("%d requests in %.1f s to %d worker(s) on 127.0.0.1:%d (store requests per worker: %s), %d failure(s)\n",
    $requests, $secs, count($pids), $port, json_encode(array_values($storeCounts)), $failures);
exit($failures === 0 ? 0 : 1);
