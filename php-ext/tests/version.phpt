--TEST--
Versions: the extension carries the workspace version; MINFO shows the library version; the class is final, uncloneable, unserialisable, without a public constructor
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
$toml = file_get_contents(leadscore_root() . '/Cargo.toml');
preg_match('/\[workspace\.package\][^\[]*?version\s*=\s*"([^"]+)"/s', $toml, $m);
var_dump(phpversion('leadscore') === $m[1]);

ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
var_dump(preg_match('/library version => ' . preg_quote($m[1]) . '/', $info) === 1);
var_dump(str_contains($info, 'extension version => ' . $m[1]));

$rc = new ReflectionClass(LeadScore\Model::class);
var_dump($rc->isFinal(), $rc->getConstructor()->isPrivate(), $rc->isCloneable());
var_dump(is_subclass_of(LeadScore\Exception::class, RuntimeException::class));
foreach (['InvalidInput', 'ModelFormat', 'InsufficientData', 'Io'] as $c) {
    var_dump(is_subclass_of("LeadScore\\{$c}Exception", LeadScore\Exception::class));
}
$model = LeadScore\Model::load(leadscore_model_path());
foreach ([
    fn () => new LeadScore\Model(),
    fn () => clone $model,
    fn () => serialize($model),
    fn () => unserialize('O:15:"LeadScore\Model":0:{}'),
    fn () => $rc->newInstanceWithoutConstructor(),
    fn () => $model->extra = 1,
] as $f) {
    try {
        $f();
        echo "no error\n";
    } catch (Throwable $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
}
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
Error: Call to private LeadScore\Model::__construct() from global scope
Error: Trying to clone an uncloneable object of class LeadScore\Model
Exception: Serialization of 'LeadScore\Model' is not allowed
Exception: Unserialization of 'LeadScore\Model' is not allowed
ReflectionException: Class LeadScore\Model is an internal class marked as final that cannot be instantiated without invoking its constructor
Error: Cannot create dynamic property LeadScore\Model::$extra
