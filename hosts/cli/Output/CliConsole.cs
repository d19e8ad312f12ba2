using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace OffGrid.Cli.Output;

/// <summary>
/// Where the CLI writes: results (text, tables, JSON) on standard output, progress and messages on standard error,
/// so that <c>offgrid run m "hi" &gt; answer.txt</c> and <c>offgrid list --json | jq</c> get clean output.
/// </summary>
internal sealed class CliConsole
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Creates a console over the process's standard streams.</summary>
    public CliConsole()
        : this(Console.Out, Console.Error, Console.In, Console.IsOutputRedirected, Console.IsErrorRedirected, Console.IsInputRedirected)
    {
    }

    private CliConsole(TextWriter output, TextWriter error, TextReader input, bool outputRedirected, bool errorRedirected, bool inputRedirected)
    {
        Text = output;
        Answer = outputRedirected ? output : new WordWrapWriter(output, () => Console.WindowWidth);
        Input = input;
        IsInputRedirected = inputRedirected;
        Out = Create(output, outputRedirected);
        Error = Create(error, errorRedirected);
    }

    /// <summary>Standard output as plain text, for streamed answers (never parsed as markup).</summary>
    public TextWriter Text { get; }

    /// <summary>
    /// Where a model's answer streams: standard output, wrapped between words when it is a terminal (a pipe or a file gets
    /// the text exactly as generated). Flush it when the answer ends.
    /// </summary>
    public TextWriter Answer { get; }

    /// <summary>Standard input.</summary>
    public TextReader Input { get; }

    /// <summary>Whether standard input is a pipe or a file rather than a terminal.</summary>
    public bool IsInputRedirected { get; }

    /// <summary>Rich output (tables, markup) on standard output.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Progress bars, status lines and hints on standard error.</summary>
    public IAnsiConsole Error { get; }

    /// <summary><paramref name="value"/> as the JSON object <see cref="WriteJson{T}"/> would write, to add fields to.</summary>
    public static JsonObject ToJson<T>(T value) => JsonSerializer.SerializeToNode(value, s_json)!.AsObject();

    /// <summary>Writes <paramref name="value"/> as indented JSON with snake_case names on standard output.</summary>
    public void WriteJson<T>(T value)
    {
        Text.WriteLine(JsonSerializer.Serialize(value, s_json));
        Text.Flush();
    }

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            // A terminal redraws progress in place; only a file or pipe keeps the padding Spectre adds to each row.
            Out = new AnsiConsoleOutput(redirected ? new TrailingSpaceTrimmingWriter(writer) : writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            // Tables written to a file or pipe should not wrap at the 80 columns Spectre assumes without a terminal.
            console.Profile.Width = 240;
        }

        return console;
    }
}
