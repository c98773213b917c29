// The v2 device whitelist as hand-assembled eBPF (as runc and crun do; no
// libbpf, no compiler at run time). Program shape:
//
//     r2 = ctx->access_type & 0xffff     device type (BPF_DEVCG_DEV_*)
//     r3 = ctx->access_type >> 16        requested access (BPF_DEVCG_ACC_*)
//     r4 = ctx->major; r5 = ctx->minor
//     per rule: if r2 != type goto next; r1 = r3 & allowed; if r1 != r3 goto next;
//               if r4 != major goto next; if r5 != minor goto next; return 1
//     return 0
//
// Wildcards ('a', -1, "rwm") leave their test out.
#include "cgroup/bpf_devices.h"

#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace vz::cg {
namespace {

using Program = std::vector<bpf_insn>;

constexpr std::uint8_t kScratch = BPF_REG_1; // the context pointer is dead after the prologue
constexpr std::uint8_t kType = BPF_REG_2;
constexpr std::uint8_t kAccess = BPF_REG_3;
constexpr std::uint8_t kMajor = BPF_REG_4;
constexpr std::uint8_t kMinor = BPF_REG_5;
constexpr std::int16_t kToNextRule = 0; // patched once the rule's length is known

struct Bit {
    char letter;
    std::int32_t bit;
};
constexpr std::array kTypeBits = std::to_array<Bit>({
    {'b', BPF_DEVCG_DEV_BLOCK},
    {'c', BPF_DEVCG_DEV_CHAR},
});
constexpr std::array kAccessBits = std::to_array<Bit>({
    {'m', BPF_DEVCG_ACC_MKNOD},
    {'r', BPF_DEVCG_ACC_READ},
    {'w', BPF_DEVCG_ACC_WRITE},
});
constexpr std::int32_t kAllAccess = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off,
              std::int32_t imm) {
    bpf_insn out{};
    out.code = code;
    out.dst_reg = dst & 0xf;
    out.src_reg = src & 0xf;
    out.off = off;
    out.imm = imm;
    return out;
}
bpf_insn load_ctx_u32(std::uint8_t dst, std::size_t offset) {
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, static_cast<std::int16_t>(offset), 0);
}
bpf_insn alu32_imm(std::uint8_t op, std::uint8_t dst, std::int32_t imm) {
    return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn mov32_reg(std::uint8_t dst, std::uint8_t src) {
    return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn jne_imm(std::uint8_t dst, std::int32_t imm) {
    return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, kToNextRule, imm);
}
bpf_insn jne_reg(std::uint8_t dst, std::uint8_t src) {
    return insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, kToNextRule, 0);
}
Program return_value(std::int32_t value) {
    return {insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value),
            insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
}

Program prologue() {
    return {
        load_ctx_u32(kType, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32_imm(BPF_AND, kType, 0xffff),
        load_ctx_u32(kAccess, offsetof(bpf_cgroup_dev_ctx, access_type)),
        alu32_imm(BPF_RSH, kAccess, 16),
        load_ctx_u32(kMajor, offsetof(bpf_cgroup_dev_ctx, major)),
        load_ctx_u32(kMinor, offsetof(bpf_cgroup_dev_ctx, minor)),
    };
}

std::int32_t type_bit(char type) {
    auto it = std::ranges::find(kTypeBits, type, &Bit::letter);
    if (it == kTypeBits.end())
        throw Error(VZ_SET_DEVICES, std::string("Bad device type '") + type + "'");
    return it->bit;
}

std::int32_t access_mask(std::string_view access) {
    std::int32_t mask = 0;
    for (const auto &[letter, bit] : kAccessBits)
        if (access.find(letter) != std::string_view::npos)
            mask |= bit;
    return mask;
}

// Every test of a rule jumps past the rest of that rule when it fails.
Program rule_block(const DeviceRule &rule) {
    Program block;
    if (rule.type != 'a')
        block.push_back(jne_imm(kType, type_bit(rule.type)));
    if (const auto mask = access_mask(rule.access); mask != kAllAccess) {
        block.push_back(mov32_reg(kScratch, kAccess));
        block.push_back(alu32_imm(BPF_AND, kScratch, mask));
        block.push_back(jne_reg(kScratch, kAccess));
    }
    if (rule.major >= 0)
        block.push_back(jne_imm(kMajor, static_cast<std::int32_t>(rule.major)));
    if (rule.minor >= 0)
        block.push_back(jne_imm(kMinor, static_cast<std::int32_t>(rule.minor)));
    const auto allow = return_value(1);
    block.insert(block.end(), allow.begin(), allow.end());
    for (std::size_t i = 0; i < block.size(); ++i)
        if (BPF_CLASS(block[i].code) == BPF_JMP && BPF_OP(block[i].code) == BPF_JNE)
            block[i].off = static_cast<std::int16_t>(block.size() - i - 1);
    return block;
}

Program build_program(const std::vector<DeviceRule> &rules) {
    Program program = prologue();
    for (const auto &rule : rules) {
        if (access_mask(rule.access) == 0)
            continue; // grants nothing
        const auto block = rule_block(rule);
        program.insert(program.end(), block.begin(), block.end());
    }
    const auto deny = return_value(0);
    program.insert(program.end(), deny.begin(), deny.end());
    return program;
}

int bpf(int cmd, bpf_attr &attr) {
    return static_cast<int>(::syscall(SYS_bpf, cmd, &attr, sizeof(attr)));
}

std::uint64_t as_u64(const void *pointer) {
    return reinterpret_cast<std::uintptr_t>(pointer);
}

// The verifier's complaint, which strerror alone (EACCES, EINVAL) hides.
std::string verifier_log(const Program &program) {
    std::string log(1 << 16, '\0');
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = as_u64(program.data());
    attr.insn_cnt = static_cast<std::uint32_t>(program.size());
    attr.license = as_u64("GPL");
    attr.log_level = 1;
    attr.log_buf = as_u64(log.data());
    attr.log_size = static_cast<std::uint32_t>(log.size());
    UniqueFd fd(bpf(BPF_PROG_LOAD, attr));
    log.resize(std::strlen(log.c_str()));
    while (!log.empty() && log.back() == '\n')
        log.pop_back();
    auto last_line = log.rfind('\n');
    return last_line == std::string::npos ? log : log.substr(last_line + 1);
}

UniqueFd load_program(const Program &program) {
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = as_u64(program.data());
    attr.insn_cnt = static_cast<std::uint32_t>(program.size());
    attr.license = as_u64("GPL");
    // Shows up in bpftool, so that an admin can tell whose program this is.
    std::strncpy(attr.prog_name, "vzkit_devices", sizeof(attr.prog_name) - 1);
    UniqueFd fd(bpf(BPF_PROG_LOAD, attr));
    if (!fd) {
        const std::string reason = std::strerror(errno);
        const std::string log = errno == EACCES || errno == EINVAL ? verifier_log(program) : "";
        throw Error(VZ_SET_DEVICES, "Unable to load the device BPF program: " + reason +
                                        (log.empty() ? "" : " (" + log + ")"));
    }
    return fd;
}

int attach(int dir_fd, int prog_fd) {
    bpf_attr attr{};
    attr.target_fd = static_cast<std::uint32_t>(dir_fd);
    attr.attach_bpf_fd = static_cast<std::uint32_t>(prog_fd);
    attr.attach_type = BPF_CGROUP_DEVICE;
    // Flags 0 is the kernel's single-program mode: attaching replaces the
    // program attached before (ours), atomically, with no unguarded moment.
    attr.attach_flags = 0;
    return bpf(BPF_PROG_ATTACH, attr) == 0 ? 0 : errno;
}

std::vector<std::uint32_t> attached_ids(int dir_fd) {
    std::array<std::uint32_t, 64> ids{};
    bpf_attr attr{};
    attr.query.target_fd = static_cast<std::uint32_t>(dir_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = as_u64(ids.data());
    attr.query.prog_cnt = ids.size();
    if (bpf(BPF_PROG_QUERY, attr) != 0)
        return {};
    return {ids.begin(), ids.begin() + std::min<std::size_t>(attr.query.prog_cnt, ids.size())};
}

void detach(int dir_fd, std::uint32_t id) {
    bpf_attr get{};
    get.prog_id = id;
    UniqueFd prog(bpf(BPF_PROG_GET_FD_BY_ID, get));
    if (!prog)
        return; // gone meanwhile
    bpf_attr attr{};
    attr.target_fd = static_cast<std::uint32_t>(dir_fd);
    attr.attach_bpf_fd = static_cast<std::uint32_t>(prog.get());
    attr.attach_type = BPF_CGROUP_DEVICE;
    bpf(BPF_PROG_DETACH, attr);
}

} // namespace

void bpf_set_device_rules(const std::filesystem::path &dir, const std::vector<DeviceRule> &rules) {
    const UniqueFd prog = load_program(build_program(rules));
    const UniqueFd group(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!group)
        throw_errno(VZ_SET_DEVICES, "Unable to open cgroup " + dir.string());
    int err = attach(group.get(), prog.get());
    if (err == EPERM) {
        // Someone attached in multi-program mode, which cannot be mixed with
        // single mode: take those programs off (the group is ours) and retry.
        for (auto id : attached_ids(group.get()))
            detach(group.get(), id);
        err = attach(group.get(), prog.get());
    }
    if (err != 0)
        throw Error(VZ_SET_DEVICES, "Unable to attach the device BPF program to " + dir.string() +
                                        ": " + std::strerror(err));
}

} // namespace vz::cg
