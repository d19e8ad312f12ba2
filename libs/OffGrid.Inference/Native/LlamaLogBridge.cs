using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OffGrid.Inference.Native;

/// <summary>Routes llama.cpp and ggml log output (stderr by default) into an <see cref="ILogger"/>.</summary>
/// <remarks>llama.cpp logs from its own threads and continues lines with a CONT level, so lines are assembled here.</remarks>
internal static unsafe class LlamaLogBridge
{
    private const int LevelDebug = 1;
    private const int LevelInfo = 2;
    private const int LevelWarn = 3;
    private const int LevelError = 4;
    private const int LevelContinue = 5;

    private static readonly Lock s_gate = new();
    private static readonly StringBuilder s_line = new();
    private static ILogger? s_logger;
    private static int s_lineLevel = LevelInfo;

    [ThreadStatic]
    private static string? t_lastError;

    /// <summary>The last error line llama.cpp logged on the calling thread (llama.cpp logs load failures this way).</summary>
    public static string? LastError => t_lastError;

    /// <summary>Forgets the calling thread's last error before an operation whose failure should be explained.</summary>
    public static void ClearLastError() => t_lastError = null;

    /// <summary>Installs the callbacks; later calls only replace the logger.</summary>
    public static void Install(ILogger logger)
    {
        lock (s_gate)
        {
            bool first = s_logger is null;
            s_logger = logger;
            if (first)
            {
                LlamaNative.llama_log_set(&OnLog, IntPtr.Zero);
                LlamaNative.ggml_log_set(&OnLog, IntPtr.Zero);
            }
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(int level, byte* text, IntPtr userData)
    {
        string? message = LlamaNative.ReadUtf8(text);
        if (message is null)
        {
            return;
        }

        lock (s_gate)
        {
            if (level != LevelContinue)
            {
                s_lineLevel = level;
            }

            s_line.Append(message);
            if (!message.EndsWith('\n'))
            {
                return;
            }

            string line = s_line.ToString().TrimEnd();
            s_line.Clear();
            if (s_lineLevel == LevelError && line.Length > 0)
            {
                t_lastError = line;
            }

            if (line.Length == 0 || s_logger is null)
            {
                return;
            }

            LogLevel mapped = s_lineLevel switch
            {
                LevelError => LogLevel.Error,
                LevelWarn => LogLevel.Warning,
                LevelInfo => LogLevel.Debug,
                LevelDebug => LogLevel.Trace,
                _ => LogLevel.Trace,
            };
            s_logger.Log(mapped, "llama.cpp: {Message}", line);
        }
    }
}
