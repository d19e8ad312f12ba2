using System.Globalization;
using OffGrid.Inference.Bench;
using OffGrid.Inference.Runtime;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args is ["features", .. var featureArgs])
{
    await LlamaRuntime.LoadAsync();
    return await FeatureBench.RunAsync(featureArgs, Console.Out);
}

if (args is ["overhead", .. var overheadArgs])
{
    await LlamaRuntime.LoadAsync();
    return await OverheadBench.RunAsync(overheadArgs, Console.Out);
}

BenchSettings? settings = BenchSettings.Parse(args, Console.Error);
if (settings is null)
{
    return 2;
}

LlamaRuntime runtime = await LlamaRuntime.LoadAsync();
int threads = settings.Threads ?? runtime.Hardware.DefaultThreadCount;
Console.WriteLine($"OffGrid.Inference bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"CPU: {MachineInfo.CpuModel}, {Environment.ProcessorCount} logical cores; llama.cpp threads: {threads}; devices: {string.Join("; ", runtime.Devices)}");

if (settings.Anchor)
{
    var anchor = new AnchorBench(LlamaCppTools.Build(Console.Out), settings, Console.Out);
    var anchorRows = new List<AnchorRow>();
    foreach (string name in settings.Models)
    {
        (string label, string path, int generate) = name == "stories260k"
            ? ("stories260K", settings.StoriesPath, 128)
            : ("synthetic 430M Q8_0, 32k vocab", (await SyntheticModel.GetOrCreateAsync(settings.CacheDir, Console.Out, SyntheticModel.Spec32K)).Path, 64);
        if (!settings.ServerOnly)
        {
            anchorRows.AddRange(await anchor.RunAsync(label, path, generate));
        }

        anchorRows.AddRange(await new ServerAnchorBench(settings, Console.Out).RunAsync(label, path));
        Console.WriteLine();
        Console.Write(AnchorRow.Render(anchorRows));
    }

    return 0;
}

var cases = new List<BenchCase>();
foreach (string name in settings.Models)
{
    cases.Add(name switch
    {
        "synthetic400m" => new BenchCase(
            "synthetic 400M Q8_0", (await SyntheticModel.GetOrCreateAsync(settings.CacheDir, Console.Out)).Path,
            PromptTokens: settings.Quick ? 64 : 128, OutputTokens: settings.Quick ? 32 : 128, Iterations: settings.Quick ? 1 : 3, SingleStreamTarget: 0.97),
        "stories260k" => new BenchCase(
            "stories260K", settings.StoriesPath,
            PromptTokens: settings.Quick ? 128 : 256, OutputTokens: settings.Quick ? 256 : 768, Iterations: settings.Quick ? 3 : 20, SingleStreamTarget: 0.90),
        _ => throw new ArgumentException($"Unknown model '{name}'; use synthetic400m or stories260k."),
    });
}

var rows = new List<BenchRow>();
foreach (BenchCase bench in cases)
{
    // The table so far is printed after every model, so an interrupted run still leaves results.
    rows.AddRange(await new ModelBench(bench, settings, threads, Console.Out).RunAsync());
    Console.WriteLine();
    Console.Write(ResultTable.Render(rows));
}

return 0;
