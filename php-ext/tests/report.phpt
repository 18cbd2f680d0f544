--TEST--
Model::reportHtml gives every fixture model's committed report, byte for byte; compact and title; bad options
--EXTENSIONS--
leadscore
--FILE--
<?php
use LeadScore\Model;

require __DIR__ . '/_root.inc';
$root = leadscore_root();
$manifest = json_decode(file_get_contents("$root/tests/fixtures/fixtures.json"), true);
foreach ($manifest['sets'] as $set) {
    $m = Model::load("$root/{$set['model']}");
    $same = $m->reportHtml() === file_get_contents("$root/{$set['report']}");
    echo $set['name'], ': ', $same ? 'same bytes' : 'DIFFERENT', "\n";
}
$compact = $m->reportHtml(['compact' => true, 'title' => 'Acme <Ltd>']);
var_dump(str_starts_with($compact, '<style>'), str_contains($compact, 'Acme &lt;Ltd&gt;'), str_contains($compact, '<html'));
var_dump($m->reportHtml([]) === $m->reportHtml());
foreach ([['compact' => 1], ['colour' => 'red'], ['title' => str_repeat('x', 201)], [1]] as $bad) {
    try {
        $m->reportHtml($bad);
    } catch (LeadScore\InvalidInputException $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
wa_churn_v1: same bytes
demo_recipe_v2: same bytes
demo_l1_v3: same bytes
demo_policy_v4: same bytes
demo_bytes_v5: same bytes
bool(true)
bool(true)
bool(false)
bool(true)
LeadScore\InvalidInputException: option "compact" must be true or false, got 1
LeadScore\InvalidInputException: unknown option "colour"; known options: %s
LeadScore\InvalidInputException: option "title" must be at most 200 characters, got 201
LeadScore\InvalidInputException: options must be an array of name => value, got the index 0
