# Shared by the vio4wd-*.sh service scripts; sourced, not run.
# "§" cites the control-plane contract, as the daemon's sources do (§9: config file and scripts).

# The directory holding these scripts; the programs live in its bin/ folder.
VIO4WD_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Reads the config file with bash, as upstream's scripts do, so its arrays and quoting count.
# VIRTIOFWD_CONFIG_FILE chooses another file (the tests use it).
vio4wd_load_config() {
    local file=${VIRTIOFWD_CONFIG_FILE:-/etc/default/virtioforwarder}
    # shellcheck source=../default/virtioforwarder
    . "$file" || vio4wd_fail "cannot read the configuration $file"
}

vio4wd_log() {
    echo "${0##*/}: $*" >&2
}

vio4wd_fail() {
    vio4wd_log "$*"
    exit 1
}

# The daemon writes <pid dir>/virtio-forwarder.pid; /var/run when the setting is empty (§8, -p).
vio4wd_pid_file() {
    echo "${VIRTIOFWD_PID_DIR:-/var/run}/virtio-forwarder.pid"
}

# libzmq does not create the directory of an ipc:// endpoint (§1), so it is made here: the parent
# of the socket path, or the path itself when it ends in '/'. Other transports need nothing.
vio4wd_make_endpoint_dir() {
    local endpoint=$1 path dir
    [[ $endpoint == ipc://* ]] || return 0
    path=${endpoint#ipc://}
    if [[ $path == */ ]]; then dir=$path
    elif [[ $path == */* ]]; then dir=${path%/*}
    else return 0   # a bare name lives in the working directory
    fi
    [ -n "$dir" ] || return 0
    mkdir -p -- "$dir" || vio4wd_fail "cannot create $dir for the endpoint $endpoint"
}

# The helpers below append to the caller's array argv.

# vio4wd_arg FLAG VALUE: one argument FLAG+VALUE, only when VALUE is non-empty (bash ${VAR:+...}).
vio4wd_arg() {
    [ -n "$2" ] && argv+=("$1$2")
}

# vio4wd_switch FLAG VALUE: FLAG alone when VALUE is non-empty.
vio4wd_switch() {
    [ -n "$2" ] && argv+=("$1")
}

# vio4wd_list FLAG NAME: one FLAG+element argument per element when the variable NAME is a bash
# array, else one for its value. As in upstream's script only ${NAME} (element 0 of an array)
# decides whether anything is added, and each argument is expanded unquoted, so "a=1 b=2" becomes
# -Pa=1 and a stray b=2 that the daemon rejects (§9.2).
vio4wd_list() {
    local flag=$1 name=$2 item
    # Split at spaces as upstream, but with no pathname expansion: a '*' reaches the daemon as is.
    local -
    set -f
    [ -n "${!name}" ] || return 0
    if [[ $(declare -p "$name") == *"declare -a"* ]]; then
        local -n items=$name
        for item in "${items[@]}"; do
            # shellcheck disable=SC2206 # the split is the documented behaviour
            argv+=($flag$item)
        done
    else
        # shellcheck disable=SC2206
        argv+=($flag${!name})
    fi
}
