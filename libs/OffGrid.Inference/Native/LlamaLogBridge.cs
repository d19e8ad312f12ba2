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
    private static List<string>? t_errors;

    [ThreadStatic]
    private static Action<string>? t_observer;

    /// <summary>
    /// Gets or sets a callback that receives every complete line llama.cpp logs on the calling thread (for progress
    /// that the C API reports only in its log, like <c>llama_model_quantize</c>'s per-tensor lines).
    /// </summary>
    public static Action<string>? LineObserver
    {
        get => t_observer;
        set => t_observer = value;
    }

    /// <summary>
    /// The most specific error line llama.cpp logged on the calling thread since <see cref="ClearLastError"/>, without
    /// its function-name prefixes, or <see langword="null"/>. llama.cpp logs a failure as the specific cause followed by
    /// generic lines ("failed to read tensor data", "failed to load model"): the first line that is not generic wins.
    /// </summary>
    public static string? LastError
    {
        get
        {
            if (t_errors is not { Count: > 0 } errors)
            {
                return null;
            }

            List<string> reasons = errors.Select(StripPrefixes).ToList();
            return reasons.FirstOrDefault(r => !IsGeneric(r)) ?? reasons[0];
        }
    }

    /// <summary>Forgets the calling thread's errors before an operation whose failure should be explained.</summary>
    public static void ClearLastError() => t_errors = null;

    // "llama_model_load: error loading model: missing tensor 'x'" -> "missing tensor 'x'".
    private static string StripPrefixes(string line)
    {
        string reason = line;
        while (true)
        {
            int colon = reason.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0 || !(reason[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || reason[..colon] is "error loading model"))
            {
                return reason;
            }

            reason = reason[(colon + 2)..];
        }
    }

    private static bool IsGeneric(string reason) =>
        reason.StartsWith("failed to load model", StringComparison.Ordinal)
        || reason.StartsWith("failed to read tensor data", StringComparison.Ordinal)
        || reason.StartsWith("failed to read tensor info", StringComparison.Ordinal)
        || reason.StartsWith("failed to load GGUF split", StringComparison.Ordinal);

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
                (t_errors ??= []).Add(line);
            }

            if (line.Length > 0)
            {
                t_observer?.Invoke(line);
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
