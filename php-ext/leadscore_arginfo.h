/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: be3e6d15822c5a923c784de42c1b20f26cbae2ed */

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_LeadScore_Model___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_LeadScore_Model_load, 0, 1, LeadScore\\Model, 0)
	ZEND_ARG_TYPE_INFO(0, path, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_LeadScore_Model_fromBytes, 0, 1, LeadScore\\Model, 0)
	ZEND_ARG_TYPE_INFO(0, bytes, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_LeadScore_Model_train, 0, 2, LeadScore\\Model, 0)
	ZEND_ARG_TYPE_INFO(0, csvPath, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, options, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_LeadScore_Model_trainRows, 0, 2, LeadScore\\Model, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, rows, Traversable, MAY_BE_ARRAY, NULL)
	ZEND_ARG_TYPE_INFO(0, options, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_save, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, path, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_toBytes, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_score, 0, 1, IS_DOUBLE, 0)
	ZEND_ARG_TYPE_INFO(0, lead, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_scoreDetailed, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, lead, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_explain, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, lead, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, k, IS_LONG, 0, "3")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_scoreBatch, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, leads, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_metrics, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_evaluation, 0, 0, IS_ARRAY, 1)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_reportHtml, 0, 0, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

#define arginfo_class_LeadScore_Model_insights arginfo_class_LeadScore_Model_evaluation

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_insightsOf, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, csvPath, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, options, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Model_insightsOfRows, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, rows, Traversable, MAY_BE_ARRAY, NULL)
	ZEND_ARG_TYPE_INFO(0, options, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_LeadScore_Model_search arginfo_class_LeadScore_Model_insightsOf

#define arginfo_class_LeadScore_Model_searchRows arginfo_class_LeadScore_Model_insightsOfRows

#define arginfo_class_LeadScore_Model_info arginfo_class_LeadScore_Model_metrics

#define arginfo_class_LeadScore_Model_toJson arginfo_class_LeadScore_Model_toBytes

#define arginfo_class_LeadScore_Store___construct arginfo_class_LeadScore_Model___construct

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_LeadScore_Store_open, 0, 1, LeadScore\\Store, 0)
	ZEND_ARG_TYPE_INFO(0, root, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Store_score, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, tenant, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, lead, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 0, "\"lead\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Store_explain, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, tenant, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, lead, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, k, IS_LONG, 0, "3")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 0, "\"lead\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_LeadScore_Store_get, 0, 1, LeadScore\\Model, 0)
	ZEND_ARG_TYPE_INFO(0, tenant, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 0, "\"lead\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Store_save, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, tenant, IS_STRING, 0)
	ZEND_ARG_OBJ_INFO(0, model, LeadScore\\Model, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 0, "\"lead\"")
ZEND_END_ARG_INFO()

#define arginfo_class_LeadScore_Store_stats arginfo_class_LeadScore_Model_metrics

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Store_flushDrift, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Store_trainTenants, 0, 2, IS_ARRAY, 0)
	ZEND_ARG_OBJ_TYPE_MASK(0, data, Traversable, MAY_BE_STRING|MAY_BE_ARRAY, NULL)
	ZEND_ARG_TYPE_INFO(0, options, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, progress, IS_CALLABLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Store_drift, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, tenant, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 0, "\"lead\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_LeadScore_Store_markInsufficient, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, tenant, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, rows, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, positives, IS_LONG, 0, "0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 0, "\"lead\"")
ZEND_END_ARG_INFO()


ZEND_METHOD(LeadScore_Model, __construct);
ZEND_METHOD(LeadScore_Model, load);
ZEND_METHOD(LeadScore_Model, fromBytes);
ZEND_METHOD(LeadScore_Model, train);
ZEND_METHOD(LeadScore_Model, trainRows);
ZEND_METHOD(LeadScore_Model, save);
ZEND_METHOD(LeadScore_Model, toBytes);
ZEND_METHOD(LeadScore_Model, score);
ZEND_METHOD(LeadScore_Model, scoreDetailed);
ZEND_METHOD(LeadScore_Model, explain);
ZEND_METHOD(LeadScore_Model, scoreBatch);
ZEND_METHOD(LeadScore_Model, metrics);
ZEND_METHOD(LeadScore_Model, evaluation);
ZEND_METHOD(LeadScore_Model, reportHtml);
ZEND_METHOD(LeadScore_Model, insights);
ZEND_METHOD(LeadScore_Model, insightsOf);
ZEND_METHOD(LeadScore_Model, insightsOfRows);
ZEND_METHOD(LeadScore_Model, search);
ZEND_METHOD(LeadScore_Model, searchRows);
ZEND_METHOD(LeadScore_Model, info);
ZEND_METHOD(LeadScore_Model, toJson);
ZEND_METHOD(LeadScore_Store, __construct);
ZEND_METHOD(LeadScore_Store, open);
ZEND_METHOD(LeadScore_Store, score);
ZEND_METHOD(LeadScore_Store, explain);
ZEND_METHOD(LeadScore_Store, get);
ZEND_METHOD(LeadScore_Store, save);
ZEND_METHOD(LeadScore_Store, stats);
ZEND_METHOD(LeadScore_Store, flushDrift);
ZEND_METHOD(LeadScore_Store, trainTenants);
ZEND_METHOD(LeadScore_Store, drift);
ZEND_METHOD(LeadScore_Store, markInsufficient);


static const zend_function_entry class_LeadScore_Model_methods[] = {
	ZEND_ME(LeadScore_Model, __construct, arginfo_class_LeadScore_Model___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(LeadScore_Model, load, arginfo_class_LeadScore_Model_load, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, fromBytes, arginfo_class_LeadScore_Model_fromBytes, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, train, arginfo_class_LeadScore_Model_train, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, trainRows, arginfo_class_LeadScore_Model_trainRows, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, save, arginfo_class_LeadScore_Model_save, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, toBytes, arginfo_class_LeadScore_Model_toBytes, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, score, arginfo_class_LeadScore_Model_score, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, scoreDetailed, arginfo_class_LeadScore_Model_scoreDetailed, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, explain, arginfo_class_LeadScore_Model_explain, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, scoreBatch, arginfo_class_LeadScore_Model_scoreBatch, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, metrics, arginfo_class_LeadScore_Model_metrics, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, evaluation, arginfo_class_LeadScore_Model_evaluation, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, reportHtml, arginfo_class_LeadScore_Model_reportHtml, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, insights, arginfo_class_LeadScore_Model_insights, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, insightsOf, arginfo_class_LeadScore_Model_insightsOf, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, insightsOfRows, arginfo_class_LeadScore_Model_insightsOfRows, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, search, arginfo_class_LeadScore_Model_search, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, searchRows, arginfo_class_LeadScore_Model_searchRows, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Model, info, arginfo_class_LeadScore_Model_info, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Model, toJson, arginfo_class_LeadScore_Model_toJson, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_LeadScore_Store_methods[] = {
	ZEND_ME(LeadScore_Store, __construct, arginfo_class_LeadScore_Store___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(LeadScore_Store, open, arginfo_class_LeadScore_Store_open, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(LeadScore_Store, score, arginfo_class_LeadScore_Store_score, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, explain, arginfo_class_LeadScore_Store_explain, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, get, arginfo_class_LeadScore_Store_get, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, save, arginfo_class_LeadScore_Store_save, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, stats, arginfo_class_LeadScore_Store_stats, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, flushDrift, arginfo_class_LeadScore_Store_flushDrift, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, trainTenants, arginfo_class_LeadScore_Store_trainTenants, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, drift, arginfo_class_LeadScore_Store_drift, ZEND_ACC_PUBLIC)
	ZEND_ME(LeadScore_Store, markInsufficient, arginfo_class_LeadScore_Store_markInsufficient, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_LeadScore_Exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_LeadScore_InvalidInputException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_LeadScore_ModelFormatException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_LeadScore_InsufficientDataException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_LeadScore_IoException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_LeadScore_NotFoundException_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_LeadScore_Model(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "Model", class_LeadScore_Model_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_LeadScore_Store(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "Store", class_LeadScore_Store_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_LeadScore_Exception(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "Exception", class_LeadScore_Exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	return class_entry;
}

static zend_class_entry *register_class_LeadScore_InvalidInputException(zend_class_entry *class_entry_LeadScore_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "InvalidInputException", class_LeadScore_InvalidInputException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_LeadScore_Exception);

	return class_entry;
}

static zend_class_entry *register_class_LeadScore_ModelFormatException(zend_class_entry *class_entry_LeadScore_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "ModelFormatException", class_LeadScore_ModelFormatException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_LeadScore_Exception);

	return class_entry;
}

static zend_class_entry *register_class_LeadScore_InsufficientDataException(zend_class_entry *class_entry_LeadScore_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "InsufficientDataException", class_LeadScore_InsufficientDataException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_LeadScore_Exception);

	return class_entry;
}

static zend_class_entry *register_class_LeadScore_IoException(zend_class_entry *class_entry_LeadScore_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "IoException", class_LeadScore_IoException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_LeadScore_Exception);

	return class_entry;
}

static zend_class_entry *register_class_LeadScore_NotFoundException(zend_class_entry *class_entry_LeadScore_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "LeadScore", "NotFoundException", class_LeadScore_NotFoundException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_LeadScore_Exception);

	return class_entry;
}
