/* The leadscore PHP extension: LeadScore\Model over the C ABI (libleadscore). */
#ifndef PHP_LEADSCORE_H
#define PHP_LEADSCORE_H

extern zend_module_entry leadscore_module_entry;
#define phpext_leadscore_ptr &leadscore_module_entry

/* The workspace version; php-ext/tests/version.phpt checks it against Cargo.toml. */
#define PHP_LEADSCORE_VERSION "0.1.0"

#if defined(ZTS) && defined(COMPILE_DL_LEADSCORE)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

#endif /* PHP_LEADSCORE_H */
