using System.Net.Http;
using System.Net.Sockets;
using OffGrid.Cli.Commands;
using OffGrid.Distribution.Peers;
using OffGrid.Governance;
using OffGrid.Hub;
using OffGrid.Hub.Downloads;
using OffGrid.Hub.References;
using OffGrid.Inference;
using OffGrid.Inference.Quantization;
using OffGrid.Rag.Collections;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Synthesis;
using OffGrid.Speech.Transcription;

namespace OffGrid.Cli.Output;

/// <summary>Turns any failure into one line on standard error and a process exit code; never a stack trace.</summary>
internal static class FailureReporter
{
    /// <summary>The exit code of a command that failed.</summary>
    public const int Failed = 1;

    /// <summary>The exit code of a command line that could not be parsed (unknown option, missing argument).</summary>
    public const int UsageError = 2;

    /// <summary>The exit code after Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    private const int UnixNoSpaceLeft = 28;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>Writes the one-line message for <paramref name="exception"/> and returns the exit code.</summary>
    public static int Report(Exception exception, TextWriter error)
    {
        (string message, int exitCode) = Describe(exception);
        WriteLine(error, message);
        return exitCode;
    }

    /// <summary>Writes <paramref name="message"/> as the one line of a failure.</summary>
    public static void WriteLine(TextWriter error, string message)
    {
        string oneLine = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        error.WriteLine("offgrid: " + oneLine);
        error.Flush();
    }

    private static (string Message, int ExitCode) Describe(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        OperationCanceledException { Message: TransferProgress.CancelledMessage } => (TransferProgress.CancelledMessage, Cancelled),
        OperationCanceledException => ("Cancelled.", Cancelled),
        InsufficientDiskSpaceException e => (e.Message, Failed),
        IOException e when e.HResult is UnixNoSpaceLeft or WindowsDiskFull or WindowsHandleDiskFull => ($"The disk is full: {e.Message}", Failed),
        HostUnreachableException e => (e.Message, Failed),
        HttpRequestException { StatusCode: null } e => ($"Network error: {Sentence(Innermost(e).Message)} Check the connection, or set HF_ENDPOINT to a reachable mirror.", Failed),
        HubHttpException e => (e.Message, Failed),
        SocketException e => ($"Network error: {Sentence(e.Message)}", Failed),
        DownloadIntegrityException e => ($"The download is corrupt and was discarded: {e.Message}", Failed),
        // The libraries' own exceptions for a value the caller passed: on the command line, that is a usage error.
        UsageException e => (e.Message, UsageError),
        InvalidModelReferenceException e => (e.Message, UsageError),
        GovernanceArgumentException e => (e.Message, UsageError),
        InvalidKnowledgeRequestException e => (e.Message, UsageError),
        SamplingRangeException e => (e.Message, UsageError),
        PeerException { Problem: PeerProblem.InvalidInput } e => (e.Message, UsageError),
        UnknownVoiceException or UnsupportedOutputFormatException or UnsupportedLanguageException or SpeechSettingException or InvalidTextException => (exception.Message, UsageError),
        QuantizationException { Problem: QuantizationProblem.UnknownType or QuantizationProblem.InvalidOutputName } e => (e.Message, UsageError),
        _ => (exception.Message, Failed),
    };

    private static string Sentence(string text) => text.TrimEnd().EndsWith('.') ? text.TrimEnd() : text.TrimEnd() + ".";

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }
}
