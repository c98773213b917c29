// SPDX-License-Identifier: GPL-2.0
/*
 * The return-only stub a hook redirects a function to when vzkit refuses
 * a charge, written with the kernel's return macro so that it is correct
 * in return-thunk (retbleed) builds.
 */
#include <linux/ftrace.h>
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/ptrace.h>

#include "compat.h"

asmlinkage void vzkit_just_return(void);

asm(".text\n"
	".type vzkit_just_return, @function\n"
	".globl vzkit_just_return\n"
	"vzkit_just_return:\n"
	ANNOTATE_NOENDBR
	ASM_RET
	".size vzkit_just_return, .-vzkit_just_return\n");

void vzkit_hook_return(struct ftrace_regs *fregs, unsigned long value)
{
	fregs->regs.ax = value;
	ftrace_instruction_pointer_set(fregs, (unsigned long)&vzkit_just_return);
}
