using System.Text.Json;
using System.Text.RegularExpressions;
using OffGrid.Testing;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Whisper;

namespace OffGrid.Cli.Tests.Readme;

/// <summary>
/// Runs every shell command of README.md as written, so that a README that drifts from the code fails CI. How each
/// command is exercised:
/// <list type="bullet">
/// <item>the main job (<c>dotnet run ... run stories260K.gguf</c>): as written, in a private network namespace (offline), with the test runtime;</item>
/// <item><c>bash eng/test.sh</c>: this suite itself; <c>.ci/run</c> must run exactly it;</item>
/// <item>the .NET tool block: pack as written; install, PATH and <c>offgrid --version</c> as written with HOME in a temporary folder
/// (holding a copy of this machine's NuGet configuration), so the machine's own tools are untouched; the install reads the NuGet feeds;</item>
/// <item>the knowledge-base blocks (<c>offgrid kb …</c>, <c>offgrid run --kb</c>, the <c>/v1/knowledge</c> and chat <c>curl</c>s): as written, by
/// <c>OffGrid.Cli.Tests.Commands.ReadmeKnowledgeTests</c>, which reads the same section, against the real CLI and server;</item>
/// <item>the agents block (<c>offgrid agent …</c>): as written, by <c>OffGrid.Cli.Tests.Commands.ReadmeAgentsTests</c>, which reads the same section;</item>
/// <item>the air-gapped walkthrough (<c>offgrid package …</c>, <c>install.sh</c>): as written, by
/// <c>OffGrid.Distribution.Tests.ReadmeWalkthroughTests</c>, which reads the same block;</item>
/// <item>the voice block: as written, with whisper-base served by a loopback Hub (a generated Whisper model) through <c>HF_ENDPOINT</c>;</item>
/// <item>the multi-user block: as one script by <see cref="ReadmeMultiUserTests"/>;</item>
/// <item>the server block: the server as written in the background and the <c>curl</c> as written, in a private network namespace (port 11611 is free there);</item>
/// <item>the scale-out block: in a private network namespace, the front server as written in the background, three OffGrid servers
/// where the example's backends are (11611, 8080 and 11434, each serving stories260K), then the <c>curl</c> as written once the
/// front lists their model;</item>
/// <item>the deployment block (root): as written, in private mount, network and PID namespaces with their own <c>/etc</c>, <c>/opt</c> and
/// <c>/var/lib</c>; <c>systemctl enable --now</c> enables the unit with the real <c>systemctl</c>, checks it with <c>systemd-analyze verify</c>
/// and, since no systemd runs as PID 1 there, starts it as systemd would (its User, WorkingDirectory, Environment and ExecStart) before
/// <c>/health</c> is asked.</item>
/// </list>
/// </summary>
public sealed partial class ReadmeCommandsTests : IDisposable
{
    private const string MainJob = "dotnet run -c Release --project hosts/cli -- run ../shared/models/stories260K.gguf \"Once upon a time\"";
    private const string TestSuite = "bash eng/test.sh";
    private const string Pack = "dotnet pack hosts/cli -c Release";
    private const string ToolInstall = "dotnet tool install -g OffGrid.Cli --add-source artifacts/packages";
    private const string ToolPath = "export PATH=\"$PATH:$HOME/.dotnet/tools\"";
    private const string ToolVersion = "offgrid --version";
    private const string Say = "dotnet run -c Release --project hosts/cli -- say \"Hello from OffGrid, entirely offline.\" -o hello.wav";
    private const string Transcribe = "dotnet run -c Release --project hosts/cli -- transcribe hello.wav --model whisper-base --format srt";
    private const string Voices = "dotnet run -c Release --project hosts/cli -- voices --language de";
    private const string Server = "dotnet run -c Release --project hosts/server -- --Server:Models:stories=../shared/models/stories260K.gguf";
    private const string Curl = "curl -s localhost:11611/v1/chat/completions -H 'Content-Type: application/json' \\\n" +
        "  -d '{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":32}'";
    private const string Front = "dotnet run -c Release --project hosts/server -- --Server:Port=11612 \\\n" +
        "  --Server:Backends:n1:Kind=offgrid --Server:Backends:n1:Endpoint=http://127.0.0.1:11611/ \\\n" +
        "  --Server:Backends:n2:Endpoint=http://127.0.0.1:8080/v1 \\\n" +
        "  --Server:Backends:n3:Kind=ollama --Server:Backends:n3:Endpoint=http://127.0.0.1:11434/ \\\n" +
        "  --Server:Balancing:Strategy=RoundRobin";
    private const string Backends = "curl -s localhost:11612/v1/backends";
    private const string Publish = "dotnet publish hosts/server -c Release -o artifacts/offgrid-server";
    private const string AddUser = "sudo useradd --system --home /var/lib/offgrid --create-home offgrid";
    private const string CopyFiles = "sudo cp -r artifacts/offgrid-server /opt/offgrid && sudo cp hosts/server/deploy/offgrid.service /etc/systemd/system/";
    private const string EnableUnit = "sudo systemctl enable --now offgrid";

    private static readonly string[] s_knowledgeBases =
    [
        """offgrid kb create manuals --embedding-model ../shared/models/stories260K.gguf --max-tokens 128""",
        """offgrid kb add manuals docs""",
        """offgrid kb add manuals docs""",
        """offgrid kb search manuals "how do I reset the pump?" --top 3""",
        "offgrid run ../shared/models/stories260K.gguf --kb manuals --cite -n 16 \"How do I reset the pump?\"",
        """offgrid kb list""",
        """offgrid kb rm manuals""",
        """curl -s localhost:11611/v1/knowledge/collections -H 'Content-Type: application/json' -d '{"name":"docs","embedding_model":"stories","chunking":{"max_tokens":128}}'""",
        """curl -s 'localhost:11611/v1/knowledge/collections/docs/documents?wait=true' -F file=@docs/guide.pdf -F file=@docs/notes.md""",
        """curl -s localhost:11611/v1/knowledge/search -H 'Content-Type: application/json' -d '{"collections":["docs"],"query":"reset the pump","top_k":3,"fusion":"rrf"}'""",
        """curl -s localhost:11611/v1/chat/completions -H 'Content-Type: application/json' -d '{"model":"stories","max_tokens":16,"messages":[{"role":"user","content":"How do I reset the pump?"}],"knowledge":{"collections":["docs"],"top_k":2,"require_citations":true}}'""",
    ];

    private static readonly string[] s_airGappedWalkthrough =
    [
        "offgrid package key generate --name \"Acme IT\"",
        "offgrid pull stories260k",
        "offgrid package create /media/usb/offgrid --model stories260k --runtime linux-x64",
        "sh /media/usb/offgrid/install.sh --publisher-key-id 3f2a91bc5d7e4f60a1b2c3d4e5f60718",
        "~/.local/bin/offgrid run stories260k \"Once upon a time\" --max-tokens 40",
    ];

    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    private readonly string _temp = TestPaths.NewTempDir("offgrid-readme");

    [Fact]
    public void EveryReadmeCommandIsExercisedHere()
    {
        string[] known = [MainJob, TestSuite, Pack, ToolInstall, ToolPath, ToolVersion, .. Commands.ReadmeAgentsTests.Commands, .. s_knowledgeBases, .. s_airGappedWalkthrough, Say, Transcribe, Voices, Server, Curl, Front, Backends, .. ReadmeMultiUserTests.Commands.Select(WithoutComment), Publish, AddUser, CopyFiles, EnableUnit];

        Assert.Equal(known, ReadmeCommands.All.Select(WithoutComment));
    }

    [Fact]
    public void TheReadmeStartsWithTheMainJobAndTheTestCommandThatCiRuns()
    {
        Assert.Equal([MainJob, TestSuite], ReadmeCommands.Blocks[0].Select(WithoutComment));
        string[] ci = [.. File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, ".ci", "run")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
        Assert.Equal(TestSuite, ci[^1]);
        Assert.DoesNotContain(ci, l => l.Contains("dotnet test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheMainJobStreamsAStoryOffline()
    {
        Assert.True(IsolatedShell.CanIsolate, "unshare could not create a network namespace here");

        IsolatedShell.Result result = await IsolatedShell.RunAsync(Script(0, MainJob), await EnvironmentAsync(), s_timeout, isolated: true);

        result.AssertSuccess();
        Assert.Matches(@"\w+ \w+ \w+ \w+ \w+", result.Output);
        Assert.DoesNotContain("offgrid:", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheToolInstallsAndRunsFromPath()
    {
        // HOME moves after the pack, so that the build keeps this machine's NuGet settings and the tool lands in a scratch folder.
        string home = Directory.CreateDirectory(Path.Combine(_temp, "home")).FullName;
        string userConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string moveHome =
            $"mkdir -p {Quote(home)}/.nuget/NuGet && if [ -f {Quote(userConfig)} ]; then cp {Quote(userConfig)} {Quote(home)}/.nuget/NuGet/; fi\n" +
            $"export HOME={Quote(home)} NUGET_PACKAGES={Quote(packages)}\nunset DOTNET_CLI_HOME\n";
        string script = string.Join('\n', Block(Pack).Select(c => WithoutComment(c) == ToolInstall ? moveHome + c : c));

        IsolatedShell.Result result = await IsolatedShell.RunAsync(script, await EnvironmentAsync(), s_timeout, isolated: false);

        result.AssertSuccess();
        Assert.DoesNotContain("warning", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(@"(?m)^\d+\.\d+\.\d+\s*$", result.Output);
        Assert.True(File.Exists(Path.Combine(home, ".dotnet", "tools", "offgrid")), result.Output);
        using var package = System.IO.Compression.ZipFile.OpenRead(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "artifacts", "packages"), "OffGrid.Cli.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal)));
        Assert.Contains(package.Entries, e => e.FullName == "README.md");
    }

    [Fact]
    public async Task TheVoiceCommandsSpeakTranscribeAndListVoices()
    {
        // whisper-base comes from a loopback Hub (a generated Whisper model), so the block runs as written without the internet.
        await using var hub = LoopbackHubServer.Start();
        hub.AddRepo(new LoopbackModelRepo { Id = "ggerganov/whisper.cpp", Files = { ["ggml-base.bin"] = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro) } });
        Dictionary<string, string> environment = await EnvironmentAsync();
        environment["HF_ENDPOINT"] = hub.BaseUri.ToString();
        string spoken = Path.Combine(TestPaths.RepoRoot, "hello.wav"); // where the README's command writes it
        Assert.False(File.Exists(spoken), $"{spoken} is in the way");

        try
        {
            IsolatedShell.Result result = await IsolatedShell.RunAsync(string.Join('\n', Block(Say)), environment, s_timeout, isolated: false);

            result.AssertSuccess();
            Assert.True(new FileInfo(spoken).Length > 16_000, result.Output); // at least half a second of 16-bit audio
            Assert.Matches(@"(?m)^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$", result.Output.ReplaceLineEndings("\n"));
            Assert.Contains("espeak:de", result.Output, StringComparison.Ordinal);
            Assert.Contains(hub.Requests, r => r.Contains("ggml-base.bin", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(spoken);
        }
    }

    [Fact]
    public async Task TheServerAnswersTheCurlExample()
    {
        Assert.True(IsolatedShell.CanIsolate, "unshare could not create a network namespace here");
        string script = string.Join('\n', Block(Server).Select(c => WithoutComment(c) == Server
            ? $"{c} > {Quote(Path.Combine(_temp, "server.log"))} 2>&1 &\n{WaitForHealth}"
            : c));

        IsolatedShell.Result result = await IsolatedShell.RunAsync(script, await EnvironmentAsync(), s_timeout, isolated: true);

        result.AssertSuccess();
        using JsonDocument answer = JsonDocument.Parse(result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal("stories", answer.RootElement.GetProperty("model").GetString());
        Assert.NotEmpty(answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!);
    }

    [Fact]
    public async Task TheFrontServerListsTheBackendsOfTheScaleOutExample()
    {
        Assert.True(IsolatedShell.CanIsolate, "unshare could not create a network namespace here");
        string backends = string.Concat(new[] { 11611, 8080, 11434 }.Select(port =>
            $"dotnet run --no-build -c Release --project hosts/server -- --Server:Port={port} --Server:Models:stories=../shared/models/stories260K.gguf " +
            $"> {Quote(Path.Combine(_temp, $"backend-{port}.log"))} 2>&1 &\n"));
        const string WaitForModel = "for i in $(seq 1 600); do [[ \"$(curl -s localhost:11612/v1/models)\" == *'\"owned_by\":\"n1,n2,n3\"'* ]] && break; sleep 0.2; done\n";
        string script = string.Join('\n', Block(Front).Select(c => WithoutComment(c) == Front
            ? $"{c} > {Quote(Path.Combine(_temp, "front.log"))} 2>&1 &\n{WaitForHealth.Replace("11611", "11612", StringComparison.Ordinal)}{backends}{WaitForModel}"
            : c));

        IsolatedShell.Result result = await IsolatedShell.RunAsync(script, await EnvironmentAsync(), s_timeout, isolated: true);

        result.AssertSuccess();
        using JsonDocument listing = JsonDocument.Parse(result.Output[result.Output.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.Equal(
            [("n1", "offgrid"), ("n2", "openai"), ("n3", "ollama")],
            listing.RootElement.GetProperty("data").EnumerateArray().Select(b => (b.GetProperty("name").GetString(), b.GetProperty("kind").GetString())));
        Assert.All(listing.RootElement.GetProperty("data").EnumerateArray(), b => Assert.Contains("stories", b.GetProperty("models").EnumerateArray().Select(m => m.GetString())));
        JsonElement pool = Assert.Single(listing.RootElement.GetProperty("pools").EnumerateArray());
        Assert.Equal(("stories", "RoundRobin"), (pool.GetProperty("model").GetString(), pool.GetProperty("strategy").GetString()));
    }

    [Fact]
    public async Task TheDeploymentInstallsAndStartsTheUnit()
    {
        Assert.SkipUnless(IsolatedShell.IsRoot, "The deployment commands need root (CI and the project's machines run as root).");
        string etc = Path.Combine(_temp, "etc");
        string published = Path.Combine(TestPaths.RepoRoot, "artifacts", "offgrid-server");
        string prelude =
            $"cp -a /etc {Quote(etc)} && mount --bind {Quote(etc)} /etc\n" +
            "mount -t tmpfs tmpfs /opt && mount -t tmpfs tmpfs /var/lib\n" +
            $"mkdir -p {Quote(published)} && mount -t tmpfs tmpfs {Quote(published)}\n" +
            "command -v sudo >/dev/null || sudo() { \"$@\"; }\n" +
            SystemctlAsSystemdWould;
        string script = prelude + string.Join('\n', Block(Publish)) + "\n" + WaitForHealth + "curl -s localhost:11611/health\n";

        IsolatedShell.Result result = await IsolatedShell.RunAsync(script, await EnvironmentAsync(), s_timeout, isolated: true);

        result.AssertSuccess();
        Assert.Contains("Created symlink /etc/systemd/system/multi-user.target.wants/offgrid.service", result.Output, StringComparison.Ordinal);
        Assert.Contains("unit runs as offgrid", result.Output, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"ok\"", result.Output, StringComparison.Ordinal);
        if (Directory.Exists(published) && !Directory.EnumerateFileSystemEntries(published).Any())
        {
            Directory.Delete(published);
        }
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>Waits up to two minutes for the server on port 11611 to answer /health.</summary>
    private const string WaitForHealth = "for i in $(seq 1 600); do curl -sf localhost:11611/health >/dev/null && break; sleep 0.2; done\n";

    /// <summary>
    /// <c>systemctl enable --now UNIT</c> without systemd as PID 1: the real <c>systemctl enable</c> (it works offline),
    /// <c>systemd-analyze verify</c>, then the unit's ExecStart as its User, in its WorkingDirectory, with its Environment.
    /// </summary>
    private const string SystemctlAsSystemdWould = """
        systemctl() {
          if [ "$1" = enable ] && [ "$2" = --now ]; then
            command systemctl enable "$3"
            local unit="/etc/systemd/system/$3.service"
            systemd-analyze verify "$unit"
            local user dir exec
            user=$(sed -n 's/^User=//p' "$unit"); dir=$(sed -n 's/^WorkingDirectory=//p' "$unit"); exec=$(sed -n 's/^ExecStart=//p' "$unit")
            mapfile -t envs < <(sed -n 's/^Environment=//p' "$unit")
            echo "unit runs as $user: $exec"
            (cd "$dir" && exec runuser -u "$user" -- env -i PATH=/usr/bin:/bin "${envs[@]}" $exec) > /var/lib/offgrid-unit.log 2>&1 &
          else
            command systemctl "$@"
          fi
        }

        """;

    private static string Script(int block, string command) =>
        Assert.Single(ReadmeCommands.Blocks[block], c => WithoutComment(c) == command);

    /// <summary>The README block that starts with <paramref name="firstCommand"/>.</summary>
    private static IReadOnlyList<string> Block(string firstCommand) =>
        Assert.Single(ReadmeCommands.Blocks, b => b.Count > 0 && WithoutComment(b[0]) == firstCommand);

    private static string WithoutComment(string command) => TrailingComment().Replace(command, string.Empty);

    private async Task<Dictionary<string, string>> EnvironmentAsync()
    {
        string runtime = (await OffGridCli.RuntimeAsync()).LibraryDirectory;
        return new Dictionary<string, string>
        {
            ["OFFGRID_HOME"] = Directory.CreateDirectory(Path.Combine(_temp, "offgrid-home")).FullName,
            ["OFFGRID_LLAMA_PATH"] = runtime,
            ["HF_ENDPOINT"] = OffGridCli.OfflineEndpoint,
            ["NO_COLOR"] = "1",
        };
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A comment after a command: at least two spaces, then <c>#</c>.</summary>
    [GeneratedRegex(@"\s{2,}#.*$")]
    private static partial Regex TrailingComment();
}
