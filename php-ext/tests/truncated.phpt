--TEST--
A truncated, extended or corrupted model file is a ModelFormatException, never a crash
--EXTENSIONS--
leadscore
--FILE--
<?php
require __DIR__ . '/_root.inc';
use LeadScore\Model;

$bytes = file_get_contents(leadscore_model_path());
$dir = leadscore_tmpdir();
$variants = [
    'truncated by one byte' => substr($bytes, 0, -1),
    'truncated to the header' => substr($bytes, 0, 14),
    'truncated inside the header' => substr($bytes, 0, 7),
    'a trailing byte' => $bytes . "\0",
    'a flipped payload byte' => substr_replace($bytes, chr(ord($bytes[100]) ^ 0xff), 100, 1),
    'a future format version' => substr_replace($bytes, "\x09\x00", 4, 2),
];
foreach ($variants as $what => $b) {
    file_put_contents("$dir/bad.lsm", $b);
    foreach (['load' => fn () => Model::load("$dir/bad.lsm"), 'fromBytes' => fn () => Model::fromBytes($b)] as $how => $f) {
        try {
            $f();
            echo "$what ($how): loaded!\n";
        } catch (LeadScore\ModelFormatException $e) {
            echo "$what ($how): ", $e->getCode(), ' ', preg_replace('/^model format: (.*bad\.lsm: )?/', '', $e->getMessage()), "\n";
        }
    }
}
// Every prefix of the file fails cleanly.
$failed = 0;
for ($n = 0; $n < strlen($bytes); $n += 7) {
    try {
        Model::fromBytes(substr($bytes, 0, $n));
    } catch (LeadScore\ModelFormatException $e) {
        $failed++;
    }
}
var_dump($failed === intdiv(strlen($bytes) - 1, 7) + 1);
leadscore_rmdir($dir);
?>
--EXPECTF--
truncated by one byte (load): 2 truncated: the header promises %d payload bytes, %d are present
truncated by one byte (fromBytes): 2 truncated: the header promises %d payload bytes, %d are present
truncated to the header (load): 2 truncated: the header promises %d payload bytes, 0 are present
truncated to the header (fromBytes): 2 truncated: the header promises %d payload bytes, 0 are present
truncated inside the header (load): 2 truncated: 7 bytes, the header alone is 14
truncated inside the header (fromBytes): 2 truncated: 7 bytes, the header alone is 14
a trailing byte (load): 2 1 trailing bytes after the payload (from byte %d)
a trailing byte (fromBytes): 2 1 trailing bytes after the payload (from byte %d)
a flipped payload byte (load): 2 checksum mismatch: %s
a flipped payload byte (fromBytes): 2 checksum mismatch: %s
a future format version (load): 2 format version 9 (byte 4) is not supported by leadscore %s
a future format version (fromBytes): 2 format version 9 (byte 4) is not supported by leadscore %s
bool(true)
