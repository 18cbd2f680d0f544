<?php
// The scoring endpoint of server_test.php: POST a lead as JSON, get its probability.
// A model is loaded per request: nothing survives a request without a cache.
// With ?store=1 the lead is scored through LeadScore\Store, which the extension
// keeps per worker process: the answer carries the store's score count, which grows
// across requests only if the next request got the same store.
header('Content-Type: application/json');
try {
    if (($_GET['store'] ?? '') === '1') {
        $store = LeadScore\Store::open(getenv('LEADSCORE_STORE'), ['checkInterval' => 60]);
        $lead = json_decode(file_get_contents('php://input'), true, 512, JSON_THROW_ON_ERROR);
        $s = $store->score('acme', $lead);
        echo json_encode(['pid' => getmypid(), 'probability' => $s['probability'], 'source' => $s['source'],
            'scores' => $store->stats()['tenants']['acme']['scores']]);
        return;
    }
    $model = LeadScore\Model::load(getenv('LEADSCORE_ROOT') . '/tests/fixtures/models/wa_churn_v1.lsm');
    $lead = json_decode(file_get_contents('php://input'), true, 512, JSON_THROW_ON_ERROR);
    $out = ['pid' => getmypid()];
    if (($_GET['explain'] ?? '') === '1') {
        $out['explain'] = $model->explain($lead, 3);
    }
    $out['probability'] = $model->score($lead);
    echo json_encode($out);
} catch (LeadScore\Exception $e) {
    http_response_code(422);
    echo json_encode(['pid' => getmypid(), 'error' => get_class($e), 'code' => $e->getCode(), 'message' => $e->getMessage()]);
}
