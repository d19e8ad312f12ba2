using System.Runtime.InteropServices;

namespace OffGrid.Inference.Native;

/// <summary>Mirror of <c>struct llama_chat_message</c> in llama.h (UTF-8 strings owned by the caller).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaChatMessage
{
    public byte* Role;
    public byte* Content;
}
