#include "vzkit/base/error.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace vz {
namespace {

constexpr std::array kExitCodes = std::to_array<ExitCodeInfo>({
    {VZ_OK, "VZ_OK", "Success"},
    {VZ_SETUBC_ERROR, "VZ_SETUBC_ERROR", "Unable to apply user beancounter parameters"},
    {VZ_SETFSHD_ERROR, "VZ_SETFSHD_ERROR", "Unable to set CPU parameters"},
    {VZ_SYSTEM_ERROR, "VZ_SYSTEM_ERROR", "System error"},
    {VZ_BAD_KERNEL, "VZ_BAD_KERNEL", "The running kernel cannot run containers"},
    {VZ_RESOURCE_ERROR, "VZ_RESOURCE_ERROR", "Insufficient system resources"},
    {VZ_ENVCREATE_ERROR, "VZ_ENVCREATE_ERROR", "Unable to create the container environment"},
    {VZ_COMMAND_EXECUTION_ERROR, "VZ_COMMAND_EXECUTION_ERROR", "Command execution failed"},
    {VZ_LOCKED, "VZ_LOCKED", "Container is locked by another process"},
    {VZ_NOCONFIG, "VZ_NOCONFIG", "Global configuration file not found"},
    {VZ_NOSCRIPT, "VZ_NOSCRIPT", "Script not found"},
    {VZ_NO_ACCES, "VZ_NO_ACCES", "Permission denied"},
    {VZ_SET_CAP, "VZ_SET_CAP", "Unable to set capabilities"},
    {VZ_NOVECONFIG, "VZ_NOVECONFIG", "Container configuration file not found"},
    {VZ_EXEC_TIMEOUT, "VZ_EXEC_TIMEOUT", "Timeout while running a command"},
    {VZ_CHKPNT_ERROR, "VZ_CHKPNT_ERROR", "Checkpoint failed"},
    {VZ_RESTORE_ERROR, "VZ_RESTORE_ERROR", "Restore failed"},
    {VZ_SETLUID_ERROR, "VZ_SETLUID_ERROR", "Unable to set the beancounter id"},
    {VZ_INVALID_PARAMETER_SYNTAX, "VZ_INVALID_PARAMETER_SYNTAX", "Invalid parameter syntax"},
    {VZ_INVALID_PARAMETER_VALUE, "VZ_INVALID_PARAMETER_VALUE", "Invalid parameter value"},
    {VZ_VE_ROOT_NOTSET, "VZ_VE_ROOT_NOTSET", "VE_ROOT is not set"},
    {VZ_VE_PRIVATE_NOTSET, "VZ_VE_PRIVATE_NOTSET", "VE_PRIVATE is not set"},
    {VZ_VE_TMPL_NOTSET, "VZ_VE_TMPL_NOTSET", "TEMPLATE is not set"},
    {VZ_NOTENOUGHPARAMS, "VZ_NOTENOUGHPARAMS", "Not all required parameters are set"},
    {VZ_NOTENOUGHUBCPARAMS, "VZ_NOTENOUGHUBCPARAMS", "Not all required UBC parameters are set"},
    {VZ_VE_OSTEMPLATE_NOTSET, "VZ_VE_OSTEMPLATE_NOTSET", "OS template is not specified"},
    {VZ_VE_NOT_RUNNING, "VZ_VE_NOT_RUNNING", "Container is not running"},
    {VZ_VE_RUNNING, "VZ_VE_RUNNING", "Container is running"},
    {VZ_STOP_ERROR, "VZ_STOP_ERROR", "Unable to stop the container"},
    {VZ_CANT_ADDIP, "VZ_CANT_ADDIP", "Unable to add an IP address"},
    {VZ_VALIDATE_ERROR, "VZ_VALIDATE_ERROR", "Configuration validation failed"},
    {VZ_OVERCOMMIT_ERROR, "VZ_OVERCOMMIT_ERROR", "Resources overcommitted"},
    {VZ_FS_NOT_MOUNTED, "VZ_FS_NOT_MOUNTED", "Container file system is not mounted"},
    {VZ_FS_MOUNTED, "VZ_FS_MOUNTED", "Container file system is mounted"},
    {VZ_FS_NOPRVT, "VZ_FS_NOPRVT", "Container private area does not exist"},
    {VZ_FS_PRVT_AREA_EXIST, "VZ_FS_PRVT_AREA_EXIST", "Container private area already exists"},
    {VZ_FS_NO_DISK_SPACE, "VZ_FS_NO_DISK_SPACE", "Not enough disk space"},
    {VZ_FS_BAD_TMPL, "VZ_FS_BAD_TMPL", "Bad OS template or private area"},
    {VZ_FS_NEW_VE_PRVT, "VZ_FS_NEW_VE_PRVT", "Unable to create the private area"},
    {VZ_FS_MPOINTCREATE, "VZ_FS_MPOINTCREATE", "Unable to create the mount point"},
    {VZ_FS_CANTMOUNT, "VZ_FS_CANTMOUNT", "Unable to mount the container file system"},
    {VZ_FS_CANTUMOUNT, "VZ_FS_CANTUMOUNT", "Unable to unmount the container file system"},
    {VZ_FS_DEL_PRVT, "VZ_FS_DEL_PRVT", "Unable to delete the private area"},
    {VZ_UNSUPPORTED_ACTION, "VZ_UNSUPPORTED_ACTION", "Action is not supported"},
    {VZ_FS_MPOINT_NOT_EXIST, "VZ_FS_MPOINT_NOT_EXIST", "Mount point does not exist"},
    {VZ_FS_NOT_MOUNTED_PRVT, "VZ_FS_NOT_MOUNTED_PRVT", "Private area is not mounted"},
    {VZ_DQ_ON, "VZ_DQ_ON", "Unable to turn the disk quota on"},
    {VZ_DQ_INIT, "VZ_DQ_INIT", "Unable to initialize the disk quota"},
    {VZ_DQ_SET, "VZ_DQ_SET", "Unable to set the disk quota limits"},
    {VZ_DISKSPACE_NOT_SET, "VZ_DISKSPACE_NOT_SET", "DISKSPACE is not set"},
    {VZ_DISKINODES_NOT_SET, "VZ_DISKINODES_NOT_SET", "DISKINODES is not set"},
    {VZ_ERROR_SET_USER_QUOTA, "VZ_ERROR_SET_USER_QUOTA", "Unable to set the user quota"},
    {VZ_DQ_OFF, "VZ_DQ_OFF", "Unable to turn the disk quota off"},
    {VZ_DQ_UGID_NOTINITIALIZED, "VZ_DQ_UGID_NOTINITIALIZED",
     "Second-level quota is not initialized"},
    {VZ_GET_QUOTA_USAGE, "VZ_GET_QUOTA_USAGE", "Unable to read the quota usage"},
    {VZ_BADHOSTNAME, "VZ_BADHOSTNAME", "Invalid hostname"},
    {VZ_BADIP, "VZ_BADIP", "Invalid IP address"},
    {VZ_BADDNSSRV, "VZ_BADDNSSRV", "Invalid DNS server address"},
    {VZ_BADDNSSEARCH, "VZ_BADDNSSEARCH", "Invalid DNS search domain"},
    {VZ_CHANGEPASS, "VZ_CHANGEPASS", "Unable to change the password"},
    {VZ_VE_LCKDIR_NOTSET, "VZ_VE_LCKDIR_NOTSET", "LOCKDIR is not set"},
    {VZ_IP_INUSE, "VZ_IP_INUSE", "IP address is already in use"},
    {VZ_ACTIONSCRIPT_ERROR, "VZ_ACTIONSCRIPT_ERROR", "Action script failed"},
    {VZ_CP_CONFIG, "VZ_CP_CONFIG", "Unable to copy the sample configuration"},
    {VZ_INVALID_CONFIG, "VZ_INVALID_CONFIG", "Invalid configuration"},
    {VZ_SET_DEVICES, "VZ_SET_DEVICES", "Unable to set device permissions"},
    {VZ_INSTALL_APPS_ERROR, "VZ_INSTALL_APPS_ERROR", "Unable to install application templates"},
    {VZ_START_APPS_ERROR, "VZ_START_APPS_ERROR", "Unable to start applications"},
    {VZ_OSTEMPLATE_NOT_FOUND, "VZ_OSTEMPLATE_NOT_FOUND", "Cached OS template not found"},
    {VZ_PLOOP_UNSUP, "VZ_PLOOP_UNSUP", "ploop is not supported"},
    {VZ_GET_IP_ERROR, "VZ_GET_IP_ERROR", "Unable to get the container's IP addresses"},
    {VZ_NETDEV_ERROR, "VZ_NETDEV_ERROR", "Unable to move a network device"},
    {VZ_VE_START_DISABLED, "VZ_VE_START_DISABLED", "Container start is disabled"},
    {VZ_SET_IPTABLES, "VZ_SET_IPTABLES", "Unable to set iptables modules"},
    {VZ_NO_DISTR_CONF, "VZ_NO_DISTR_CONF", "Distribution configuration not found"},
    {VZ_NO_DISTR_ACTION_SCRIPT, "VZ_NO_DISTR_ACTION_SCRIPT",
     "Distribution action script not found"},
    {VZ_APPLY_CONFIG_ERROR, "VZ_APPLY_CONFIG_ERROR", "Unable to apply the configuration"},
    {VZ_CUSTOM_CONFIGURE_ERROR, "VZ_CUSTOM_CONFIGURE_ERROR", "Custom configuration failed"},
    {VZ_SET_MEMINFO_ERROR, "VZ_SET_MEMINFO_ERROR", "Unable to set meminfo"},
    {VZ_VETH_ERROR, "VZ_VETH_ERROR", "Unable to set up a veth device"},
    {VZ_SET_NAME_ERROR, "VZ_SET_NAME_ERROR", "Unable to set the container name"},
    {VZ_WAIT_FAILED, "VZ_WAIT_FAILED", "Waiting for the container to start failed"},
    {VZ_CONFIG_SAVE_ERROR, "VZ_CONFIG_SAVE_ERROR", "Unable to save the configuration"},
    {VZ_SET_OSRELEASE, "VZ_SET_OSRELEASE", "Unable to set the OS release"},
    {VZ_SET_IO, "VZ_SET_IO", "Unable to set I/O limits"},
    {VZ_CREATE_IMAGE, "VZCTL_E_CREATE_IMAGE", "Unable to create the disk volume"},
    {VZ_MOUNT_IMAGE, "VZCTL_E_MOUNT_IMAGE", "Unable to mount the disk volume"},
    {VZ_UMOUNT_IMAGE, "VZCTL_E_UMOUNT_IMAGE", "Unable to unmount the disk volume"},
    {VZ_RESIZE_IMAGE, "VZCTL_E_RESIZE_IMAGE", "Unable to resize the disk volume"},
    {VZ_CONVERT_IMAGE, "VZCTL_E_CONVERT_IMAGE", "Unable to convert the private area"},
    {VZ_CREATE_SNAPSHOT, "VZCTL_E_CREATE_SNAPSHOT", "Unable to create a snapshot"},
    {VZ_MERGE_SNAPSHOT, "VZCTL_E_MERGE_SNAPSHOT", "Unable to merge a snapshot"},
    {VZ_DELETE_SNAPSHOT, "VZCTL_E_DELETE_SNAPSHOT", "Unable to delete a snapshot"},
    {VZ_SWITCH_SNAPSHOT, "VZCTL_E_SWITCH_SNAPSHOT", "Unable to switch to a snapshot"},
    {VZ_MOUNT_SNAPSHOT, "VZCTL_E_MOUNT_SNAPSHOT", "Unable to mount a snapshot"},
    {VZ_UMOUNT_SNAPSHOT, "VZCTL_E_UMOUNT_SNAPSHOT", "Unable to unmount a snapshot"},
    {VZ_COMPACT_IMAGE, "VZCTL_E_COMPACT_IMAGE", "Unable to compact the disk volume"},
    {VZ_LIST_SNAPSHOT, "VZCTL_E_LIST_SNAPSHOT", "Unable to list snapshots"},
});

static_assert(std::ranges::is_sorted(kExitCodes, {}, &ExitCodeInfo::code));

} // namespace

std::span<const ExitCodeInfo> exit_codes() {
    return kExitCodes;
}

const ExitCodeInfo *find_exit_code(int code) {
    auto it = std::ranges::lower_bound(kExitCodes, code, {}, &ExitCodeInfo::code);
    return it != kExitCodes.end() && it->code == code ? &*it : nullptr;
}

void throw_errno(int code, const std::string &message) {
    throw Error(code, message + ": " + std::strerror(errno));
}

} // namespace vz
