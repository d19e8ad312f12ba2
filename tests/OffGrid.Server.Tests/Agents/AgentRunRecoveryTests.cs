using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OffGrid.Agents;
using OffGrid.Agents.Runs;
using OffGrid.Agents.Templates;
using OffGrid.Server.Tests.Backends;
using OffGrid.Testing;
using OffGrid.Testing.LlamaCpp;

namespace OffGrid.Server.Tests.Agents;

/// <summary>
/// A real <c>offgrid-server</c> process executes a sequential agent run (its second turn a forced call of a shell tool that
/// sleeps); another process on the same agents.db sees it running and may not cancel it, until the server is SIGKILLed: then
/// the run reads interrupted. A new process on
/// the same OFFGRID_HOME finds the run interrupted with the first turn's transcript, and resumes it without asking the first
/// agent again.
/// </summary>
public sealed class AgentRunRecoveryTests
{
    [Fact]
    public async Task ARunKilledMidwayIsInterruptedWithItsTranscriptAndResumesFromTheLastCheckpoint()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string home = TestPaths.NewTempDir("offgrid-agent-recovery");
        try
        {
            Directory.CreateDirectory(Path.Combine(home, "agents"));
            Directory.CreateDirectory(Path.Combine(home, "tools"));
            // The second agent must call a tool that takes 30 s, so the kill lands in its turn whatever the model writes.
            File.WriteAllText(Path.Combine(home, "tools", "nap.json"), """{"name":"nap","description":"Waits.","parameters":{"type":"object","properties":{"seconds":{"type":"string","enum":["30"]}},"required":["seconds"]},"shell":{"command":["sleep","{seconds}"]}}""");
            WriteTemplate(home, "first", """ "toolMode":"none" """);
            WriteTemplate(home, "second", """ "toolMode":"required","tools":["nap"] """);
            var models = new Dictionary<string, string> { ["qwen"] = TemplateModels.Qwen };
            string[] settings = ["--Server:Pool:Engine:ContextSize=2048", "--Agents:Shell:AllowedExecutables:0=sleep"];

            string id;
            string firstAnswer;
            await using (ServerProcess server = await ServerProcess.StartInAsync(home, models, cancel, settings))
            {
                using var http = new HttpClient { BaseAddress = server.BaseUri };
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/agents/runs")
                {
                    Content = new StringContent("""{"model":"qwen","task":"Name a colour.","agents":["first","second"],"mode":"sequential","stream":true}""", Encoding.UTF8, "application/json"),
                };
                using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
                firstAnswer = (await NextAsync(reader, "message", cancel)).GetProperty("text").GetString()!;
                Assert.Equal("second", (await NextAsync(reader, "tool_call", cancel)).GetProperty("agent").GetString());
                id = (await http.GetFromJsonAsync<JsonElement>("v1/agents/runs", cancel)).GetProperty("data")[0].GetProperty("id").GetString()!;

                // Another process on the same agents.db (as a CLI run would be) leaves the live server's run alone.
                var options = new AgentOptions { HomeDirectory = home };
                await using var other = new AgentRuns(options, new AgentTemplates(options));
                Assert.Equal(AgentRunStatus.Running, other.Get(id).Status);
                Assert.Contains("is running in process", Assert.Throws<AgentRunConflictException>(() => other.Cancel(id)).Message, StringComparison.Ordinal);
                Assert.Equal(AgentRunStatus.Running, other.Get(id).Status);

                server.Kill();
                // Once the owner is gone, reading the run finds it interrupted.
                Assert.Equal(AgentRunStatus.Interrupted, other.Get(id).Status);
            }

            WriteTemplate(home, "second", """ "toolMode":"none" """);
            await using (ServerProcess restarted = await ServerProcess.StartInAsync(home, models, cancel, settings))
            {
                using var http = new HttpClient { BaseAddress = restarted.BaseUri };
                JsonElement run = await http.GetFromJsonAsync<JsonElement>($"v1/agents/runs/{id}", cancel);
                Assert.Equal("interrupted", run.GetProperty("status").GetString());
                // The finished turn's tokens count, though the run never ended.
                Assert.True(run.GetProperty("usage").GetProperty("input_tokens").GetInt64() > 0, run.ToString());
                JsonElement kept = Assert.Single(run.GetProperty("steps").EnumerateArray(), s => s.GetProperty("type").GetString() == "message");
                Assert.Equal(("first", firstAnswer), (kept.GetProperty("agent").GetString(), kept.GetProperty("text").GetString()));
                Assert.Equal("nap", run.GetProperty("steps").EnumerateArray().Last().GetProperty("tool").GetString());

                using HttpResponseMessage resumed = await http.PostAsync($"v1/agents/runs/{id}/resume", new StringContent("""{"stream":true}""", Encoding.UTF8, "application/json"), cancel);
                string events = await resumed.Content.ReadAsStringAsync(cancel);
                Assert.EndsWith("data: [DONE]\n\n", events, StringComparison.Ordinal);

                run = await http.GetFromJsonAsync<JsonElement>($"v1/agents/runs/{id}", cancel);
                Assert.Equal("completed", run.GetProperty("status").GetString());
                List<JsonElement> messages = [.. run.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("type").GetString() == "message")];
                Assert.Equal(["first", "second"], messages.Select(m => m.GetProperty("agent").GetString()));
                Assert.Equal(firstAnswer, messages[0].GetProperty("text").GetString());
                Assert.Equal("final", run.GetProperty("steps").EnumerateArray().Last().GetProperty("type").GetString());
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static void WriteTemplate(string home, string name, string fields) =>
        File.WriteAllText(Path.Combine(home, "agents", name + ".json"), $$"""{"name":"{{name}}","instructions":"Answer.","temperature":0.8,"maxOutputTokens":48,{{fields}}}""");

    /// <summary>Reads server-sent events until a step of type <paramref name="type"/>; the run events (first and last) have no type.</summary>
    private static async Task<JsonElement> NextAsync(StreamReader reader, string type, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && JsonDocument.Parse(line[6..]).RootElement is var step && step.TryGetProperty("type", out JsonElement kind) && kind.GetString() == type)
            {
                return step.Clone();
            }
        }

        throw new InvalidOperationException($"The stream ended before a '{type}' step.");
    }
}
