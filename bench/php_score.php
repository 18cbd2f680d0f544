<?php
// Per-lead scoring latency from PHP: LeadScore\Model::score() on a 30-field lead
// against (a) the same logistic model hand-written in plain PHP arrays (the dot
// product a PHP team would otherwise write: a model of standardised numbers with
// missing indicators, flags and one-hot categories, trained with that recipe) and
// (b) the C ABI alone (php_score_c); then the model of the default recipe (numbers
// also binned, the comment's words) from PHP and through the C ABI.
// Medians over 100,000 calls (1,000 timed batches of 100). Run through
// bench/php_score.sh, which builds everything in release mode.
//
//   php -d extension=leadscore.so bench/php_score.php PHP_SCORE_C_BINARY
declare(strict_types=1);

use LeadScore\Model;

$cBench = $argv[1] ?? null;
mt_srand(20261129);

// ---- 30-field demo leads: 20 numbers, 6 categories, 3 booleans, 1 text --------
const CATS = [
    'source' => ['web', 'phone', 'email', 'partner', 'ads', 'chat', 'expo'],
    'city' => ['Moscow', 'Kazan', 'Tomsk', 'Omsk', 'Perm', 'Ufa', 'Samara', 'Sochi', 'Tver', 'Kursk'],
    'weekday' => ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    'industry' => ['retail', 'it', 'auto', 'food', 'build', 'med'],
    'manager' => ['ann', 'bob', 'cid', 'dan', 'eve', 'fay', 'gus', 'hal'],
    'stage' => ['new', 'qualified', 'proposal', 'negotiation'],
];
function make_lead(): array {
    $lead = [];
    for ($i = 0; $i < 20; $i++) {
        // Some missing values, some numbers as strings (as a DB driver returns them).
        $r = mt_rand(0, 99);
        $x = round(mt_rand(0, 100000) / 1000 * ($i + 1), 2);
        $lead["num_$i"] = $r < 5 ? null : ($r < 25 ? (string)$x : $x);
    }
    foreach (CATS as $name => $levels) {
        $lead[$name] = $levels[mt_rand(0, count($levels) - 1)];
    }
    $lead['has_phone'] = mt_rand(0, 1) === 1;
    $lead['has_email'] = mt_rand(0, 2) > 0;
    $lead['vip'] = mt_rand(0, 9) === 0;
    $lead['comment'] = ['call me back', 'interested in the price', 'not now', 'send the contract'][mt_rand(0, 3)];
    return $lead;
}
$rows = [];
for ($i = 0; $i < 4000; $i++) {
    $lead = make_lead();
    $z = -1.0 + 0.02 * ((float)($lead['num_0'] ?? 0)) - 0.004 * ((float)($lead['num_3'] ?? 0))
        + ($lead['source'] === 'phone' ? 1.0 : 0.0) + ($lead['has_phone'] ? 0.5 : -0.3)
        + ($lead['vip'] ? 1.2 : 0.0) + (mt_rand() / mt_getrandmax() - 0.5) * 2;
    $lead['won'] = mt_rand() / mt_getrandmax() < 1 / (1 + exp(-$z)) ? 1 : 0;
    $rows[] = $lead;
}
// The recipe of the model a PHP team would hand-write.
$recipe = '';
for ($i = 0; $i < 20; $i++) {
    $recipe .= "standardize(num_$i)\nmissing(num_$i)\n";
}
foreach (array_keys(CATS) as $name) {
    $recipe .= "one_hot($name)\n";
}
$recipe .= "has_phone\nhas_email\nvip\n";
$t = hrtime(true);
$options = ['target' => 'won', 'cv' => 0, 'minRows' => 1000, 'threads' => 1];
$model = Model::trainRows($rows, $options + ['recipe' => $recipe]);
printf("trained on %d rows x %d fields in %.2f s: %d features\n", count($rows), count($rows[0]) - 1,
    (hrtime(true) - $t) / 1e9, $model->info()['features']);
$t = hrtime(true);
$auto = Model::trainRows($rows, $options);
printf("default recipe: trained in %.2f s, %d features\n", (hrtime(true) - $t) / 1e9, $auto->info()['features']);

$leads = [];
for ($i = 0; $i < 100; $i++) {
    $leads[] = make_lead();
}

// ---- the plain-PHP peer, built from the model's own coefficients ----------------
$j = json_decode($model->toJson(), true, 512, JSON_THROW_ON_ERROR);
$coef = array_column($j['features'], 'coef');
$inputs = $j['pipeline']['inputs'];
$NUM = $FLAG = $CAT = [];
foreach ($j['pipeline']['steps'] as $step) {
    $type = array_key_first($step);
    $s = $step[$type];
    $name = $inputs[$s['input']]['name'];
    $o = $s['offset'];
    if ($type === 'Standardize') {
        $NUM[$name] = [$s['mean'], $s['scale'], $coef[$o], $s['missing_indicator'] ? $coef[$o + 1] : 0.0];
    } elseif ($type === 'Missing') {
        $NUM[$name][3] = $coef[$o];
    } elseif ($type === 'Flag') {
        $FLAG[$name] = [$coef[$o], $s['missing_indicator'] ? $coef[$o + 1] : 0.0];
    } else {
        $levels = [];
        foreach ($s['levels'] as $k => $level) {
            $levels[$level] = $coef[$o + $k];
        }
        $CAT[$name] = [$levels, $coef[$o + count($s['levels'])]];
    }
}
$B = $j['intercept'];

// What a PHP team would hand-write: standardise numbers, look up category weights.
function plain_score(array $lead, array $num, array $flag, array $cat, float $b): float {
    $z = $b;
    foreach ($num as $f => [$mean, $scale, $w, $wMissing]) {
        $v = $lead[$f] ?? null;
        if ($v === null || $v === '') {
            $z += $wMissing;
        } else {
            $z += $w * (((float)$v - $mean) / $scale);
        }
    }
    foreach ($flag as $f => [$w, $wMissing]) {
        $v = $lead[$f] ?? null;
        if ($v === null) {
            $z += $wMissing;
        } elseif ($v) {
            $z += $w;
        }
    }
    foreach ($cat as $f => [$levels, $wOther]) {
        $v = $lead[$f] ?? null;
        if ($v !== null) {
            $z += $levels[(string)$v] ?? $wOther;
        }
    }
    return 1.0 / (1.0 + exp(-$z));
}

// Same model: the peer agrees with the extension on every bench lead.
$maxDiff = 0.0;
$sum = 0.0;
foreach ($leads as $lead) {
    $p = $model->score($lead);
    $sum += $p;
    $maxDiff = max($maxDiff, abs($p - plain_score($lead, $NUM, $FLAG, $CAT, $B)));
}
if ($maxDiff > 1e-12) {
    fwrite(STDERR, "the plain-PHP peer disagrees with the extension by $maxDiff\n");
    exit(1);
}

// ---- timing ---------------------------------------------------------------------
function median(array $xs): float {
    sort($xs);
    return $xs[intdiv(count($xs), 2)];
}
const BATCHES = 1000;
const BATCH = 100;
$tExt = $tPlain = [];
for ($round = 0; $round < 2; $round++) { // round 0 warms up
    $tExt = $tPlain = [];
    for ($b = 0; $b < BATCHES; $b++) {
        $t0 = hrtime(true);
        for ($i = 0; $i < BATCH; $i++) {
            $model->score($leads[$i]);
        }
        $tExt[] = (hrtime(true) - $t0) / BATCH;
        $t0 = hrtime(true);
        for ($i = 0; $i < BATCH; $i++) {
            plain_score($leads[$i], $NUM, $FLAG, $CAT, $B);
        }
        $tPlain[] = (hrtime(true) - $t0) / BATCH;
    }
}
$ext = median($tExt);
$plain = median($tPlain);

// The C ABI alone on the same leads: median ns per lead, filling the record and not.
function c_bench(string $cBench, Model $model, array $leads, float $sum): array {
    $dir = sys_get_temp_dir() . '/leadscore-bench-' . getmypid();
    @mkdir($dir);
    $model->save("$dir/model.lsm");
    $lines = [];
    foreach ($leads as $lead) {
        $fields = [];
        foreach ($lead as $k => $v) {
            $fields[] = $k . '=' . match (true) {
                is_null($v) => 'm',
                is_bool($v) => 'b' . (int)$v,
                is_string($v) => 's' . $v,
                default => 'n' . sprintf('%.17g', $v),
            };
        }
        $lines[] = implode("\t", $fields);
    }
    file_put_contents("$dir/leads.txt", implode("\n", $lines) . "\n");
    $out = shell_exec(escapeshellarg($cBench) . ' ' . escapeshellarg("$dir/model.lsm") . ' ' . escapeshellarg("$dir/leads.txt"));
    unlink("$dir/model.lsm");
    unlink("$dir/leads.txt");
    rmdir($dir);
    $c = json_decode((string)$out, true);
    if (!is_array($c) || abs($c['sum'] - $sum) > 1e-9) {
        fwrite(STDERR, "the C bench failed or disagrees: " . var_export($out, true) . "\n");
        exit(1);
    }
    return $c;
}
$c = $cBench ? c_bench($cBench, $model, $leads, $sum) : null;

// The default recipe's model, from PHP and through the C ABI.
$autoSum = 0.0;
foreach ($leads as $lead) {
    $autoSum += $auto->score($lead);
}
$tAuto = [];
for ($round = 0; $round < 2; $round++) {
    $tAuto = [];
    for ($b = 0; $b < BATCHES; $b++) {
        $t0 = hrtime(true);
        for ($i = 0; $i < BATCH; $i++) {
            $auto->score($leads[$i]);
        }
        $tAuto[] = (hrtime(true) - $t0) / BATCH;
    }
}
$extAuto = median($tAuto);
$cAuto = $cBench ? c_bench($cBench, $auto, $leads, $autoSum) : null;

printf("\nper-lead latency, 30-field lead, median of %d batches of %d calls (ns)\n", BATCHES, BATCH);
printf("%-52s %9.0f\n", 'LeadScore\\Model::score() (PHP extension)', $ext);
printf("%-52s %9.0f\n", 'plain PHP dot product (hand-written peer)', $plain);
if ($c) {
    printf("%-52s %9.0f\n", 'C ABI: clear + 30 x ls_record_set_* + ls_model_score', $c['build_and_score_ns']);
    printf("%-52s %9.0f\n", 'C ABI: ls_model_score on a filled record', $c['score_only_ns']);
}
printf("\nratio plain PHP / extension: %.2fx (above 1: the extension is faster)\n", $plain / $ext);
if ($c) {
    printf("ratio extension / C ABI (build + score): %.2fx\n", $ext / $c['build_and_score_ns']);
}
printf("\nthe default recipe's model (%d features: numbers binned, the comment's words), ns\n", $auto->info()['features']);
printf("%-52s %9.0f\n", 'LeadScore\\Model::score() (PHP extension)', $extAuto);
if ($cAuto) {
    printf("%-52s %9.0f\n", 'C ABI: clear + 30 x ls_record_set_* + ls_model_score', $cAuto['build_and_score_ns']);
    printf("%-52s %9.0f\n", 'C ABI: ls_model_score on a filled record', $cAuto['score_only_ns']);
}
