// Debian 12's pocketsphinx is 5prealpha: the configuration is sphinxbase's cmd_ln_t
// (built with cmd_ln_parse_r over ps_args()), not 5.0's ps_config_t.
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
