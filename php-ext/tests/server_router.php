<?php
// The scoring endpoint of server_test.php: POST a lead as JSON, get its probability.
// A model is loaded per request: nothing survives a request without a cache.
header('Content-Type: application/json');
try {
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
