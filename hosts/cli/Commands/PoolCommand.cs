using System.CommandLine;
using System.Text.Json;
using OffGrid.Cli.Output;
using OffGrid.Cli.Server;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary>
/// <c>offgrid pool pin|unpin|swap|unload</c>: manage the model pool of a running OffGrid server through its <c>/v1/pool</c>
/// endpoints (administrators; with <c>Server:Isolation=Process</c> they act on the model worker's pool).
/// </summary>
internal sealed class PoolCommand : Command
{
    /// <summary>Creates <c>offgrid pool</c> and its subcommands.</summary>
    public PoolCommand(CliConsole console)
        : base("pool", CommandHelp.Describe(
            "Manage the loaded models of a running OffGrid server (list them with 'offgrid ps').",
            "offgrid pool pin qwen2.5",
            "offgrid pool swap assistant qwen2.5-7b",
            "offgrid pool unload qwen2.5 --server http://10.0.0.5:11611 --api-key og_..."))
    {
        Add(Pin(console));
        Add(Unpin(console));
        Add(Swap(console));
        Add(Unload(console));
    }

    private static Argument<string> ModelArgument(string description) => new Argument<string>("model") { Description = description }.RejectingOptions();

    private static Command Pin(CliConsole console) => Simple(
        console,
        "pin",
        CommandHelp.Describe("Load a model (if it is not loaded) and keep it loaded regardless of keep-alive and eviction.", "offgrid pool pin qwen2.5"),
        "v1/pool/pin",
        (model, _) => $"Pinned {model}: it is loaded and stays loaded until 'offgrid pool unpin {model}'.");

    private static Command Unpin(CliConsole console) => Simple(
        console,
        "unpin",
        CommandHelp.Describe("Let a pinned model unload again after its keep-alive, or when the pool needs room.", "offgrid pool unpin qwen2.5"),
        "v1/pool/unpin",
        (model, answer) => answer.GetProperty("was_pinned").GetBoolean() ? $"Unpinned {model}." : $"{model} was not pinned.");

    private static Command Unload(CliConsole console) => Simple(
        console,
        "unload",
        CommandHelp.Describe("Unload a model now (pinned or not); one serving requests stays loaded.", "offgrid pool unload qwen2.5"),
        "v1/pool/unload",
        (model, answer) => answer.GetProperty("unloaded").GetBoolean() ? $"Unloaded {model}." : $"{model} stays: it is not loaded, or requests are using it.");

    /// <summary>A subcommand that posts <c>{"model"}</c> to <paramref name="path"/> and prints <paramref name="describe"/> of the answer.</summary>
    private static Command Simple(CliConsole console, string name, string description, string path, Func<string, JsonElement, string> describe)
    {
        Argument<string> model = ModelArgument("The served model's name.");
        var switches = new ServerSwitches();
        var command = new Command(name, description) { model };
        switches.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using ServerConnection server = switches.Connect(parse);
            JsonElement answer = await server.PostAsync(path, new { model = parse.GetRequiredValue(model) }, cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"{describe(answer.GetProperty("model").GetString()!, answer)}");
            return 0;
        });
        return command;
    }

    private static Command Swap(CliConsole console)
    {
        Argument<string> model = ModelArgument("The served name whose file is replaced.");
        var replacement = new Argument<string>("replacement") { Description = "The model whose file serves that name from now on." }.RejectingOptions();
        var switches = new ServerSwitches();
        var command = new Command("swap", CommandHelp.Describe(
            "Hot-swap: load the replacement, then send new requests for the name to it; requests in flight finish on the old file, which then unloads.",
            "offgrid pool swap assistant qwen2.5-7b")) { model, replacement };
        switches.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using ServerConnection server = switches.Connect(parse);
            JsonElement answer = await server.PostAsync("v1/pool/swap", new { model = parse.GetRequiredValue(model), replacement = parse.GetRequiredValue(replacement) }, cancellationToken).ConfigureAwait(false);
            console.Out.MarkupLineInterpolated($"{answer.GetProperty("model").GetString()} is now served from {answer.GetProperty("replacement_path").GetString()} (was {answer.GetProperty("path").GetString()}).");
            return 0;
        });
        return command;
    }
}
