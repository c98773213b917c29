// Exit codes of OpenVZ's vzerror.h, and the exception that carries one.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vz {

// Values are part of the CLI contract: scripts and panels test them.
enum ExitCode : int {
    VZ_OK = 0,
    VZ_SETUBC_ERROR = 1,
    VZ_SETFSHD_ERROR = 2,
    VZ_SYSTEM_ERROR = 3,
    VZ_BAD_KERNEL = 5,
    VZ_RESOURCE_ERROR = 6,
    VZ_ENVCREATE_ERROR = 7,
    VZ_COMMAND_EXECUTION_ERROR = 8,
    VZ_LOCKED = 9,
    VZ_NOCONFIG = 10,
    VZ_NOSCRIPT = 11,
    VZ_NO_ACCES = 12,
    VZ_SET_CAP = 13,
    VZ_NOVECONFIG = 14,
    VZ_EXEC_TIMEOUT = 15,
    VZ_CHKPNT_ERROR = 16,
    VZ_RESTORE_ERROR = 17,
    VZ_SETLUID_ERROR = 18,
    VZ_INVALID_PARAMETER_SYNTAX = 20,
    VZ_INVALID_PARAMETER_VALUE = 21,
    VZ_VE_ROOT_NOTSET = 22,
    VZ_VE_PRIVATE_NOTSET = 23,
    VZ_VE_TMPL_NOTSET = 24,
    VZ_NOTENOUGHPARAMS = 27,
    VZ_NOTENOUGHUBCPARAMS = 28,
    VZ_VE_OSTEMPLATE_NOTSET = 29,
    VZ_VE_NOT_RUNNING = 31,
    VZ_VE_RUNNING = 32,
    VZ_STOP_ERROR = 33,
    VZ_CANT_ADDIP = 34,
    VZ_VALIDATE_ERROR = 35,
    VZ_OVERCOMMIT_ERROR = 36,
    VZ_FS_NOT_MOUNTED = 40,
    VZ_FS_MOUNTED = 41,
    VZ_FS_NOPRVT = 43,
    VZ_FS_PRVT_AREA_EXIST = 44,
    VZ_FS_NO_DISK_SPACE = 46,
    VZ_FS_BAD_TMPL = 47,
    VZ_FS_NEW_VE_PRVT = 48,
    VZ_FS_MPOINTCREATE = 49,
    VZ_FS_CANTMOUNT = 50,
    VZ_FS_CANTUMOUNT = 51,
    VZ_FS_DEL_PRVT = 52,
    VZ_UNSUPPORTED_ACTION = 53,
    VZ_FS_MPOINT_NOT_EXIST = 54,
    VZ_FS_NOT_MOUNTED_PRVT = 55,
    VZ_DQ_ON = 60,
    VZ_DQ_INIT = 61,
    VZ_DQ_SET = 62,
    VZ_DISKSPACE_NOT_SET = 63,
    VZ_DISKINODES_NOT_SET = 64,
    VZ_ERROR_SET_USER_QUOTA = 65,
    VZ_DQ_OFF = 66,
    VZ_DQ_UGID_NOTINITIALIZED = 67,
    VZ_GET_QUOTA_USAGE = 68,
    VZ_BADHOSTNAME = 70,
    VZ_BADIP = 71,
    VZ_BADDNSSRV = 72,
    VZ_BADDNSSEARCH = 73,
    VZ_CHANGEPASS = 74,
    VZ_VE_LCKDIR_NOTSET = 77,
    VZ_IP_INUSE = 78,
    VZ_ACTIONSCRIPT_ERROR = 79,
    VZ_CP_CONFIG = 82,
    VZ_INVALID_CONFIG = 85,
    VZ_SET_DEVICES = 86,
    VZ_INSTALL_APPS_ERROR = 87,
    VZ_START_APPS_ERROR = 89,
    VZ_OSTEMPLATE_NOT_FOUND = 91,
    VZ_PLOOP_UNSUP = 99,
    VZ_GET_IP_ERROR = 100,
    VZ_NETDEV_ERROR = 104,
    VZ_VE_START_DISABLED = 105,
    VZ_SET_IPTABLES = 106,
    VZ_NO_DISTR_CONF = 107,
    VZ_NO_DISTR_ACTION_SCRIPT = 108,
    VZ_APPLY_CONFIG_ERROR = 109,
    VZ_CUSTOM_CONFIGURE_ERROR = 128,
    VZ_SET_MEMINFO_ERROR = 129,
    VZ_VETH_ERROR = 130,
    VZ_SET_NAME_ERROR = 131,
    VZ_WAIT_FAILED = 133,
    VZ_CONFIG_SAVE_ERROR = 139,
    VZ_SET_OSRELEASE = 144,
    VZ_SET_IO = 148,
    // Disk image and snapshot errors (upstream's VZCTL_E_*: ploop's there, the
    // lvm layout's thin volumes here).
    VZ_CREATE_IMAGE = 151,
    VZ_MOUNT_IMAGE = 152,
    VZ_UMOUNT_IMAGE = 153,
    VZ_RESIZE_IMAGE = 154,
    VZ_CONVERT_IMAGE = 155,
    VZ_CREATE_SNAPSHOT = 156,
    VZ_MERGE_SNAPSHOT = 157,
    VZ_DELETE_SNAPSHOT = 158,
    VZ_SWITCH_SNAPSHOT = 159,
    VZ_MOUNT_SNAPSHOT = 160,
    VZ_UMOUNT_SNAPSHOT = 161,
    VZ_COMPACT_IMAGE = 166,
    VZ_LIST_SNAPSHOT = 167,
};

struct ExitCodeInfo {
    int code;
    std::string_view name;
    std::string_view message;
};

// The whole vzerror.h table, ordered by code.
std::span<const ExitCodeInfo> exit_codes();
// nullptr for a code that is not in the table.
const ExitCodeInfo *find_exit_code(int code);

// Every error a tool reports: a one-line message and the OpenVZ exit code the
// tool exits with.
class Error : public std::runtime_error {
  public:
    Error(int code, const std::string &message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }

  private:
    int code_;
};

// Throws Error(code, message + ": " + strerror(errno)).
[[noreturn]] void throw_errno(int code, const std::string &message);

} // namespace vz
