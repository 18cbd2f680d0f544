<?php
// The README's example: train, save, load, score, explain, batch, errors.
//   php -d extension=leadscore.so php-ext/example.php     (from the repository root)
use LeadScore\Model;

$model = Model::train('examples/data/wa_churn.csv', ['target' => 'churn', 'cv' => 5]);
printf("ROC AUC %.3f (random %.3f)\n", $model->metrics()['roc_auc'], $model->metrics()['baseline']['roc_auc']);
$path = sys_get_temp_dir() . '/churn.lsm';
$model->save($path);

$model = Model::load($path);            // once per worker; scoring is in-process
$lead = ['tenure' => 2, 'contract' => 'Month-to-month', 'monthly_charges' => '70.5',
         'paperless_billing' => true, 'crm_id' => 'L-1001'];   // unknown fields are ignored
printf("p = %.3f\n", $model->score($lead));
print_r($model->scoreDetailed($lead));  // probability, score 1..99, label
foreach ($model->explain($lead, 3)['positive'] as $r) {
    printf("%+.2f %s\n", $r['contribution'], $r['label']);
}
print_r($model->scoreBatch(['L-1001' => $lead, 'L-1002' => ['tenure' => 60, 'contract' => 'Two year']]));
try {
    $model->score(['tenure' => 'many']);
} catch (LeadScore\InvalidInputException $e) {
    echo get_class($e), " (code {$e->getCode()}): {$e->getMessage()}\n";
}
unlink($path);
