using System.CommandLine;
using OffGrid.Cli.Distribution;
using OffGrid.Cli.Governance;
using OffGrid.Cli.Knowledge;
using OffGrid.Cli.Models;
using OffGrid.Cli.Output;
using OffGrid.Cli.Tools;

namespace OffGrid.Cli.Commands;

/// <summary>The <c>offgrid</c> command and its subcommands.</summary>
internal sealed class OffGridRootCommand : RootCommand
{
    /// <summary>Creates the command tree over the process console.</summary>
    public OffGridRootCommand(CliConsole console, ConsoleInterrupts interrupts, HubServices hub, KnowledgeServices knowledge, DistributionServices distribution, GovernanceServices governance, AgentServices agents)
        : base(CommandHelp.Describe(
            "offgrid: private, offline-first local AI. Run, download, search, benchmark and serve GGUF models on this machine, " +
            "and transcribe or speak audio. " +
            "Models and the llama.cpp runtime live in OFFGRID_HOME (default ~/.offgrid).",
            "offgrid run llama3.2",
            "offgrid search qwen --quant Q4_K_M",
            "offgrid doctor"))
    {
        var locator = new ModelLocator(console, hub);
        Add(new RunCommand(console, interrupts, locator, knowledge, agents));
        Add(PullCommand.Pull(console, locator, distribution));
        Add(PullCommand.DownloadHuggingFace(console, locator));
        Add(new SearchCommand(console, hub));
        Add(new ListCommand(console, hub));
        Add(new ShowCommand(console, locator));
        Add(new RemoveCommand(console, hub));
        Add(new QuantizeCommand(console, hub));
        Add(new BenchCommand(console, locator));
        Add(new ServeCommand(console));
        Add(new PsCommand(console));
        Add(new PoolCommand(console));
        Add(new KnowledgeCommand(console, knowledge));
        Add(new DoctorCommand(console, hub));
        Add(new RuntimeCommand(console));
        Add(new PackageCommand(console, distribution));
        Add(new PeersCommand(console, distribution));
        Add(new ShareCommand(console, distribution));
        Add(new UsersCommand(console, governance));
        Add(new KeysCommand(console, governance));
        Add(new QuotaCommand(console, governance));
        Add(new UsageCommand(console, governance));
        Add(new AuditCommand(console, governance));
        Add(new TranscribeCommand(console, locator));
        Add(new SayCommand(console, SpeechServices.TextToSpeech(hub)));
        Add(new VoicesCommand(console, SpeechServices.TextToSpeech(hub)));
        Add(new ToolsCommand(console, agents));
        Add(new AgentCommand(console, interrupts, locator, agents));
        Add(new McpCommand(console, agents));
        Add(new PluginsCommand(console, agents));
        this.UseOffGridHelp();
    }
}
