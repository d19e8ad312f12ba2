using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace OffGrid.Agents.Tools;

/// <summary>
/// A custom tool that runs one allowed program with an argument vector built from its template: no shell ever sees the
/// values, so <c>;</c>, <c>$(…)</c> and backticks stay text. Values that would start an argument with <c>-</c> are refused,
/// path arguments stay inside the working folder, the environment is empty but for <c>PATH</c>, <c>HOME</c>, <c>LANG</c>
/// and the tool's own variables, and the program is stopped when it runs too long or writes too much.
/// </summary>
/// <remarks>Thread-safe: each call starts its own process.</remarks>
internal sealed class ShellTool : AIFunction
{
    private const double DefaultTimeoutSeconds = 30;
    private const int DefaultMaxOutputBytes = 64 * 1024;

    private readonly ToolDefinition _definition;
    private readonly ShellToolSpec _shell;
    private readonly ToolParameters _parameters;
    private readonly ShellToolOptions _options;
    private readonly string _workspace;
    private readonly ArgumentTemplate[] _arguments;

    /// <param name="definition">A validated shell tool definition.</param>
    /// <param name="options">The limits every shell tool runs under.</param>
    /// <param name="workspace">The folder the tool runs in when its definition names none.</param>
    public ShellTool(ToolDefinition definition, ShellToolOptions options, string workspace)
    {
        _workspace = workspace;
        _definition = definition;
        _shell = definition.Shell!;
        _parameters = definition.ReadParameters();
        _options = options;
        _arguments = [.. _shell.Command.Skip(1).Select((a, i) => ArgumentTemplate.Parse(a, $"shell.command[{i + 1}]"))];
    }

    public override string Name => _definition.Name!;

    public override string Description => _definition.Description ?? string.Empty;

    public override JsonElement JsonSchema => _parameters.Schema;

    private TimeSpan Timeout => TimeSpan.FromSeconds(Math.Min(_shell.TimeoutSeconds ?? DefaultTimeoutSeconds, _options.MaxTimeout.TotalSeconds));

    private int MaxOutputBytes => Math.Min(_shell.MaxOutputBytes ?? DefaultMaxOutputBytes, _options.MaxOutputBytes);

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string outcome = "error";
        try
        {
            string result = await RunAsync(new ToolArguments(Name, _parameters, arguments), cancellationToken).ConfigureAwait(false);
            outcome = "ok";
            return result;
        }
        finally
        {
            AgentsTelemetry.RecordCall(ToolSetKind.Shell, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        string folder = WorkingDirectory();
        string program = ResolveProgram();
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in BuildArguments(arguments, folder))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = _options.SearchPath;
        startInfo.Environment["HOME"] = folder;
        startInfo.Environment["LANG"] = "C.UTF-8";
        foreach ((string name, string value) in _shell.Env)
        {
            startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ToolInvocationException(Name, $"'{Name}': {program} could not be started: {ex.Message}", ex);
        }

        process.StandardInput.Close();
        var output = new CappedOutput(MaxOutputBytes);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(Timeout);
        Task readOut = output.ReadAsync(process.StandardOutput.BaseStream, output.Stdout, stop);
        Task readError = output.ReadAsync(process.StandardError.BaseStream, output.Stderr, stop);
        try
        {
            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            await Task.WhenAll(readOut, readError).WaitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(readOut, readError).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ToolInvocationException(Name, output.Exceeded
                ? $"'{Name}' wrote more than {MaxOutputBytes} bytes of output and was stopped."
                : $"'{Name}' did not finish within {Timeout.TotalSeconds:0.#} s and was stopped.");
        }

        string stdout = output.Text(output.Stdout);
        string stderr = output.Text(output.Stderr);
        if (process.ExitCode != 0)
        {
            string detail = (stderr.Length > 0 ? stderr : stdout).Trim();
            throw new ToolInvocationException(Name, $"'{Name}' exited with code {process.ExitCode}" + (detail.Length > 0 ? $": {detail}" : "."));
        }

        return stderr.Trim().Length == 0 ? stdout : $"{stdout}\n[stderr]\n{stderr}";
    }

    private IEnumerable<string> BuildArguments(ToolArguments arguments, string folder)
    {
        foreach (ArgumentTemplate template in _arguments)
        {
            // An element that is only an absent optional argument is left out rather than passed empty.
            if (template.SolePlaceholder is { } sole && !arguments.Has(sole))
            {
                continue;
            }

            string value = template.Render(name => _parameters.Paths.Contains(name)
                ? PathJail.Resolve(folder, Nonempty(arguments.Text(name), name), Name, name)
                : arguments.Text(name));
            if (template.StartsWithPlaceholder && value.StartsWith('-'))
            {
                throw new ToolInvocationException(Name, $"'{Name}': an argument value may not start with '-' (it would be read as an option): '{value}'.");
            }

            yield return value;
        }
    }

    private string Nonempty(string value, string name) =>
        value.Length > 0 ? value : throw new ToolInvocationException(Name, $"'{Name}': the path argument '{name}' is empty.");

    private string WorkingDirectory()
    {
        string folder = _shell.WorkingDirectory ?? _workspace;
        if (_shell.WorkingDirectory is null)
        {
            Directory.CreateDirectory(folder);
        }

        return Directory.Exists(folder) ? Path.GetFullPath(folder) : throw new ToolInvocationException(Name, $"'{Name}': its working folder {folder} does not exist.");
    }

    /// <summary>Finds the program on the tool search path and checks it against the allowed programs.</summary>
    private string ResolveProgram()
    {
        string command = _shell.Command[0];
        string? path = Path.IsPathFullyQualified(command) ? (File.Exists(command) ? command : null) : Find(command);
        if (path is null)
        {
            throw new ToolInvocationException(Name, $"'{Name}': the program '{command}' was not found on {_options.SearchPath}.");
        }

        bool allowed = _options.AllowedExecutables.Any(a => Path.IsPathFullyQualified(a) ? a == path : Find(a) == path);
        return allowed ? path : throw new ToolInvocationException(
            Name, $"'{Name}': the program {path} is not allowed; an administrator must add it to Agents:Shell:AllowedExecutables.");
    }

    private string? Find(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        foreach (string folder in _options.SearchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Standard output and error read under one byte budget; going over it stops the program.</summary>
    private sealed class CappedOutput
    {
        private readonly int _limit;
        private int _total;

        public CappedOutput(int limit)
        {
            _limit = limit;
        }

        public MemoryStream Stdout { get; } = new();

        public MemoryStream Stderr { get; } = new();

        public bool Exceeded { get; private set; }

        public async Task ReadAsync(Stream source, MemoryStream target, CancellationTokenSource stop)
        {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = await source.ReadAsync(buffer, stop.Token).ConfigureAwait(false)) > 0)
            {
                if (Interlocked.Add(ref _total, read) > _limit)
                {
                    Exceeded = true;
                    await stop.CancelAsync().ConfigureAwait(false);
                    return;
                }

                lock (target)
                {
                    target.Write(buffer, 0, read);
                }
            }
        }

        public string Text(MemoryStream stream)
        {
            lock (stream)
            {
                return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
            }
        }
    }
}
