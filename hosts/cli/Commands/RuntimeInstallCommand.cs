using System.CommandLine;
using OffGrid.Cli.Output;
using OffGrid.Cli.Runtime;
using OffGrid.Inference.Runtime;
using Spectre.Console;

namespace OffGrid.Cli.Commands;

/// <summary><c>offgrid runtime install</c>: installs the llama.cpp runtime ahead of the first run, or from a local package.</summary>
internal sealed class RuntimeInstallCommand : Command
{
    private readonly CliConsole _console;
    private readonly Option<string?> _from = new Option<string?>("--from") { Description = "Install from a runtime package file (.tgz) or an extracted package folder instead of downloading." }
        .Must(from => File.Exists(from) || Directory.Exists(from) ? null : $"--from: {Path.GetFullPath(from!)} does not exist.");
    private readonly Option<LlamaRuntimeVariant> _variant = new("--variant") { Description = "The build: auto (from the hardware), cpu, cuda, vulkan or metal.", DefaultValueFactory = _ => LlamaRuntimeVariant.Auto };
    private readonly Option<bool> _json = new("--json") { Description = "Write the installed runtime's details as JSON." };

    /// <summary>Creates the command.</summary>
    public RuntimeInstallCommand(CliConsole console)
        : base("install", CommandHelp.Describe(
            $"Install the llama.cpp runtime ({LlamaRuntimeCatalog.LlamaCppRelease}, package {LlamaRuntimeCatalog.PackageVersion}) into OFFGRID_HOME/runtime and check that it loads.",
            "offgrid runtime install",
            $"offgrid runtime install --from ./linux-x64-{LlamaRuntimeCatalog.PackageVersion}.tgz",
            "offgrid runtime install --variant cpu"))
    {
        _console = console;
        Add(_from);
        Add(_variant);
        Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var options = new LlamaRuntimeOptions
        {
            PackageSource = parse.GetValue(_from) is { } from ? Path.GetFullPath(from) : null,
            Variant = parse.GetValue(_variant),
        };
        LlamaRuntime runtime = await RuntimeLoader.LoadAsync(_console, options, cancellationToken).ConfigureAwait(false);
        if (parse.GetValue(_json))
        {
            _console.WriteJson(new { runtime.LibraryDirectory, Package = runtime.Package?.ToString(), runtime.Devices, runtime.HasGpu });
            return 0;
        }

        _console.Out.MarkupLineInterpolated($"[green]The llama.cpp runtime is ready[/] in {runtime.LibraryDirectory}");
        foreach (string device in runtime.Devices)
        {
            _console.Out.MarkupLineInterpolated($"  {device}");
        }

        return 0;
    }
}
