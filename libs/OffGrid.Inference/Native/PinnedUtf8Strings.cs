using System.Runtime.InteropServices;
using System.Text;

namespace OffGrid.Inference.Native;

/// <summary>
/// NUL-terminated UTF-8 copies of strings, pinned until disposal, for C functions that take <c>const char*</c>
/// arguments inside structs or arrays (where P/Invoke string marshalling does not reach).
/// </summary>
internal sealed unsafe class PinnedUtf8Strings : IDisposable
{
    private readonly List<GCHandle> _handles = [];

    /// <summary>Pins a copy of <paramref name="text"/> and returns its address, valid until <see cref="Dispose"/>.</summary>
    public byte* Add(string text)
    {
        GCHandle handle = GCHandle.Alloc(Encoding.UTF8.GetBytes(text + "\0"), GCHandleType.Pinned);
        _handles.Add(handle);
        return (byte*)handle.AddrOfPinnedObject();
    }

    public void Dispose()
    {
        _handles.ForEach(h => h.Free());
        _handles.Clear();
    }
}
