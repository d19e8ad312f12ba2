using System.Reflection;
using System.Runtime.InteropServices;

namespace OffGrid.Inference.Native;

/// <summary>
/// Maps the logical library names used by <see cref="LlamaNative"/> to the files of one installed runtime.
/// </summary>
/// <remarks>
/// Prebuilt runtimes carry versioned file names (<c>libllama.v0.4.0.so</c>, <c>libggml.v0.4.0.so</c>,
/// <c>libggml-base.so</c>, <c>llama.dll</c>), so the files are matched by prefix rather than by exact name.
/// The resolver can be bound to one directory per process, because a process can hold one llama.cpp only.
/// </remarks>
internal static class NativeLibraryResolver
{
    private static readonly Lock s_gate = new();
    private static string? s_directory;

    /// <summary>The directory the P/Invoke names are bound to, or <see langword="null"/> before binding.</summary>
    public static string? Directory => s_directory;

    /// <summary>Binds the logical names to the libraries in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidOperationException">A different runtime directory is already bound.</exception>
    public static void Bind(string directory)
    {
        lock (s_gate)
        {
            if (s_directory is not null)
            {
                if (!string.Equals(s_directory, directory, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"The llama.cpp runtime in '{s_directory}' is already loaded in this process; '{directory}' cannot be loaded too.");
                }

                return;
            }

            s_directory = directory;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
        }
    }

    /// <summary>Finds the file for a logical library name in a runtime directory, or <see langword="null"/>.</summary>
    public static string? FindLibrary(string directory, string logicalName)
    {
        string[] prefixes = OperatingSystem.IsWindows() ? [logicalName] : ["lib" + logicalName];
        string extension = OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        foreach (string file in System.IO.Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            foreach (string prefix in prefixes)
            {
                // "libggml." must not match "libggml-base.so" or "libggml-cpu-zen4.so": the character after the
                // prefix has to start the version or the extension.
                if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length && name[prefix.Length] == '.'
                    && name.Contains(extension, StringComparison.Ordinal))
                {
                    return file;
                }
            }
        }

        return null;
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (s_directory is null || libraryName is not (LlamaNative.LlamaLibrary or LlamaNative.GgmlLibrary or LlamaNative.GgmlBaseLibrary))
        {
            return IntPtr.Zero;
        }

        string? path = FindLibrary(s_directory, libraryName);
        return path is null ? IntPtr.Zero : NativeLibrary.Load(path);
    }
}
