<?php
// A PHP-FPM soak: php-fpm on 127.0.0.1 with the extension, workers recycled every
// pm.max_requests requests, scoring leads through LeadScore\Store while the tenant's
// model file is replaced (atomically, as a trainer does) every few hundred requests.
// Every answer must be one of the two models' probabilities for the lead; no request
// may fail and no worker may die of a signal; workers' resident memory is reported at
// the start and the end and must stay flat. Starts and stops its own php-fpm and
// leaves no process behind.
//
//   php fpm_soak.php EXTENSION.so REPO_ROOT [REQUESTS] [MAX_SECONDS]
declare(strict_types=1);

require __DIR__ . '/_procs.inc';

[$_, $ext, $root] = $argv + [null, null, null];
$requests = (int)($argv[3] ?? 100000);
$maxSeconds = (float)($argv[4] ?? 240);
if (!$ext || !$root) {
    fwrite(STDERR, "usage: php fpm_soak.php EXTENSION.so REPO_ROOT [REQUESTS] [MAX_SECONDS]\n");
    exit(2);
}
$fpm = trim((string)shell_exec('command -v php-fpm8.2'));
if ($fpm === '') {
    fwrite(STDERR, "php-fpm8.2 not found (apt-get install php8.2-fpm)\n");
    exit(1);
}
if (!extension_loaded('leadscore')) {
    fwrite(STDERR, "run with -d extension=$ext (the driver trains the second model)\n");
    exit(2);
}

$work = sys_get_temp_dir() . '/leadscore-fpm-' . getmypid();
@mkdir("$work/store/acme", 0700, true);
@mkdir("$work/store/_global", 0700, true);
// Two models of the same data: the golden one, and one trained with a strong penalty,
// so their probabilities differ for every lead.
$golden = LeadScore\Model::load("$root/tests/fixtures/models/wa_churn_v1.lsm");
$other = LeadScore\Model::train("$root/examples/data/wa_churn.csv", ['target' => 'churn', 'cv' => 0, 'c' => 0.001]);
$models = [$golden, $other];
$golden->save("$work/store/acme/lead.lsm");
$golden->save("$work/store/_global/lead.lsm");
$lines = file("$root/tests/fixtures/records/wa_churn.jsonl", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES);
$leads = array_map(fn ($l) => json_decode($l, true, 512, JSON_THROW_ON_ERROR), $lines);
$bodies = array_map(fn ($l) => json_encode((object)$l), $leads);
$want = [];
foreach ($leads as $i => $lead) {
    $want[$i] = [$golden->score($lead), $other->score($lead)];
}

// php-fpm: static pool of 3 workers, each recycled after 700 requests.
$sock = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)substr(strrchr(stream_socket_get_name($sock, false), ':'), 1);
fclose($sock);
$log = "$work/fpm.log";
$conf = "$work/fpm.conf";
file_put_contents($conf, <<<INI
[global]
error_log = $log
log_level = notice
daemonize = no
pid = $work/fpm.pid

[soak]
listen = 127.0.0.1:$port
pm = static
pm.max_children = 3
pm.max_requests = 700
clear_env = no
catch_workers_output = yes
php_admin_value[extension] = $ext
php_admin_value[memory_limit] = 256M
INI);
$env = ['LEADSCORE_STORE' => "$work/store", 'PATH' => getenv('PATH')];
$cmd = ['setsid', $fpm, '-n', '-R', '-F', '-y', $conf];
$proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['file', "$work/fpm.out", 'a'], 2 => ['file', "$work/fpm.out", 'a']], $pipes, null, $env);
if (!is_resource($proc)) {
    fwrite(STDERR, "could not start php-fpm\n");
    exit(1);
}
$pgid = proc_get_status($proc)['pid'];

function rss_kb(int $pid): int {
    $s = @file_get_contents("/proc/$pid/status");
    return ($s !== false && preg_match('/^VmRSS:\s+(\d+)/m', $s, $m)) ? (int)$m[1] : 0;
}
/** RSS of the workers (not the master), in KB. */
function worker_rss(int $pgid): array {
    return array_values(array_filter(array_map('rss_kb', array_diff(group_members($pgid), [$pgid]))));
}
$stopped = false;
$stop = function () use ($proc, &$stopped) {
    if ($stopped) {
        return [];
    }
    $stopped = true;
    return stop_group($proc);
};
register_shutdown_function($stop);

/** One FastCGI request (a new connection each): [status, body]. */
function fcgi(int $port, string $script, string $query, string $body): array {
    $s = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5);
    if (!$s) {
        return [0, "connect: $errstr"];
    }
    stream_set_timeout($s, 10);
    $rec = fn (int $type, string $content) => pack('CCnnCx', 1, $type, 1, strlen($content), 0) . $content;
    $pair = function (string $k, string $v): string {
        $len = fn (int $n) => $n < 128 ? chr($n) : pack('N', $n | 0x80000000);
        return $len(strlen($k)) . $len(strlen($v)) . $k . $v;
    };
    $params = '';
    foreach (['SCRIPT_FILENAME' => $script, 'REQUEST_METHOD' => 'POST', 'QUERY_STRING' => $query,
              'CONTENT_TYPE' => 'application/json', 'CONTENT_LENGTH' => (string)strlen($body),
              'SERVER_PROTOCOL' => 'HTTP/1.1', 'GATEWAY_INTERFACE' => 'CGI/1.1'] as $k => $v) {
        $params .= $pair($k, $v);
    }
    fwrite($s, $rec(1, pack('nCx5', 1, 0)) . $rec(4, $params) . $rec(4, '') . $rec(5, $body) . $rec(5, ''));
    $out = '';
    $ended = false;
    while (!$ended && !feof($s)) {
        $h = fread($s, 8);
        if ($h === false || strlen($h) < 8) {
            break;
        }
        $r = unpack('Cversion/Ctype/nid/nlen/Cpad', $h);
        $content = $r['len'] > 0 ? stream_get_contents($s, $r['len']) : '';
        if ($r['pad'] > 0) {
            fread($s, $r['pad']);
        }
        if ($r['type'] === 6) {
            $out .= $content;
        } elseif ($r['type'] === 3) {
            $ended = true;
        }
    }
    fclose($s);
    if (!$ended) {
        return [0, "no end of request; got: " . substr($out, 0, 200)];
    }
    [$head, $payload] = array_pad(explode("\r\n\r\n", $out, 2), 2, '');
    $status = preg_match('/^Status: (\d+)/mi', $head, $m) ? (int)$m[1] : 200;
    return [$status, $payload];
}

$failures = 0;
$fail = function (string $msg) use (&$failures) {
    if (++$failures <= 10) {
        fwrite(STDERR, "FAIL: $msg\n");
    }
};
$script = __DIR__ . '/fpm_worker.php';
// Wait (bounded) for the pool.
$ready = false;
for ($i = 0; $i < 100 && !$ready; $i++) {
    usleep(50000);
    [$st] = fcgi($port, $script, 'tenant=acme', $bodies[0]);
    $ready = $st === 200;
}
if (!$ready) {
    $stop();
    fwrite(STDERR, "php-fpm did not answer:\n" . @file_get_contents($log) . @file_get_contents("$work/fpm.out"));
    exit(1);
}
// Warm every worker, then the first RSS reading.
for ($i = 0; $i < 300; $i++) {
    fcgi($port, $script, 'tenant=acme', $bodies[$i % count($bodies)]);
}
$rssStart = worker_rss($pgid);
$t0 = hrtime(true);
$done = 0;
$swaps = 0;
$current = 0;
$pids = [];
$answered = [0, 0]; // answers by the golden model and by the other one
for ($i = 0; $i < $requests; $i++) {
    if ($i % 250 === 125) {
        // Hot replacement as a trainer does it: write beside, then rename over.
        $current = 1 - $current;
        $models[$current]->save("$work/store/acme/.next.lsm");
        rename("$work/store/acme/.next.lsm", "$work/store/acme/lead.lsm");
        $swaps++;
    }
    $k = $i % count($bodies);
    [$status, $body] = fcgi($port, $script, 'tenant=acme', $bodies[$k]);
    $r = json_decode($body, true);
    if ($status !== 200 || !is_array($r) || !isset($r['probability'])) {
        $fail("request $i: status $status: " . substr($body, 0, 300));
    } elseif (abs($r['probability'] - $want[$k][0]) > 1e-12 && abs($r['probability'] - $want[$k][1]) > 1e-12) {
        $fail("request $i: probability {$r['probability']} is neither model's ({$want[$k][0]}, {$want[$k][1]})");
    } else {
        $pids[$r['pid']] = true;
        $answered[abs($r['probability'] - $want[$k][0]) <= 1e-12 ? 0 : 1]++;
    }
    $done++;
    if ((hrtime(true) - $t0) / 1e9 > $maxSeconds) {
        break;
    }
}
$secs = (hrtime(true) - $t0) / 1e9;
if ($done >= 1000 && min($answered) === 0) {
    $fail('the replaced model never answered: hot reload not shown (' . json_encode($answered) . ')');
}
$rssEnd = worker_rss($pgid);
$left = $stop();
$text = (string)@file_get_contents($log) . (string)@file_get_contents("$work/fpm.out");
$signals = preg_match_all('/exited on signal|SIGSEGV|core dumped|segfault/i', $text);
if ($signals > 0) {
    $fail("$signals worker(s) died of a signal:\n" . $text);
}
if ($left) {
    $fail('php-fpm processes still running: ' . implode(', ', $left));
}
if (preg_match('/PHP (Fatal|Warning)/', $text)) {
    $fail("PHP errors in the log:\n" . $text);
}
$med = function (array $v): int {
    sort($v);
    return $v ? $v[intdiv(count($v), 2)] : 0;
};
$startMax = $rssStart ? max($rssStart) : 0;
$endMax = $rssEnd ? max($rssEnd) : 0;
// Flat: a recycled pool's workers end where they started (allow 16 MB of noise).
if ($endMax > $startMax + 16 * 1024) {
    $fail("worker memory grew: max RSS $startMax KB at the start, $endMax KB at the end");
}
foreach (glob("$work/store/*/*") ?: [] as $f) {
    @unlink($f);
}
foreach (glob("$work/store/*", GLOB_ONLYDIR) ?: [] as $d) {
    @rmdir($d);
}
@rmdir("$work/store");
foreach (glob("$work/*") ?: [] as $f) {
    @unlink($f);
}
@rmdir($work);
printf("%d requests in %.1f s (%.0f/s) to %d worker processes (recycled every 700), %d model swaps (answers by each model: %s), %d failure(s); " .
    "worker RSS at the start %s KB (median %d), at the end %s KB (median %d)\n",
    $done, $secs, $done / max($secs, 1e-9), count($pids), $swaps, json_encode($answered), $failures,
    json_encode($rssStart), $med($rssStart), json_encode($rssEnd), $med($rssEnd));
if ($done < $requests) {
    fwrite(STDERR, "FAIL: only $done of $requests requests within $maxSeconds s\n");
    exit(1);
}
exit($failures === 0 ? 0 : 1);
