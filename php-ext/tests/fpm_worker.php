<?php
// The script php-fpm runs in fpm_soak.php: scores the lead of the request body
// through the per-process LeadScore\Store (kept across requests by the extension)
// and answers with the probability, the worker's pid and its memory.
header('Content-Type: application/json');
try {
    $store = LeadScore\Store::open(getenv('LEADSCORE_STORE'), ['checkInterval' => 0, 'driftFlushInterval' => null]);
    $lead = json_decode(file_get_contents('php://input'), true, 512, JSON_THROW_ON_ERROR);
    $s = $store->score($_GET['tenant'] ?? 'acme', $lead);
    echo json_encode(['pid' => getmypid(), 'probability' => $s['probability'], 'source' => $s['source'],
        'memory' => memory_get_usage()]);
} catch (Throwable $e) {
    http_response_code(500);
    echo json_encode(['pid' => getmypid(), 'error' => get_class($e), 'message' => $e->getMessage()]);
}
