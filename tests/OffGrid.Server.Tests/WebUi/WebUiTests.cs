using System.Text.Json.Nodes;
using OffGrid.Testing.Browser;

namespace OffGrid.Server.Tests.WebUi;

/// <summary>The web UI in a real (headless) browser: it lists the models and streams a chat answer.</summary>
public sealed class WebUiTests : IClassFixture<ServerFixture>
{
    private readonly ServerFixture _server;

    public WebUiTests(ServerFixture server)
    {
        _server = server;
    }

    [Fact]
    public async Task ChatsWithAModelInTheBrowser()
    {
        Assert.SkipUnless(File.Exists(HeadlessChromium.ExecutablePath), "Debian's chromium is not installed (eng/test.sh installs it).");
        CancellationToken token = TestContext.Current.CancellationToken;
        await using HeadlessChromium browser = await HeadlessChromium.StartAsync(token);
        await browser.NavigateAsync(_server.BaseUri, token);

        JsonNode? models = await browser.WaitForAsync("[...document.querySelectorAll('#model option')].map(o => o.value).join(',')", TimeSpan.FromSeconds(20), token);
        Assert.Contains("stories", models?.GetValue<string>() ?? string.Empty);

        await browser.EvaluateAsync("""
            document.getElementById('model').value = 'stories';
            document.getElementById('temperature').value = '0';
            document.getElementById('maxTokens').value = '16';
            document.getElementById('prompt').value = 'Once upon a time';
            document.getElementById('form').requestSubmit();
            """, token);
        JsonNode? stats = await browser.WaitForAsync("document.querySelector('.stats')?.textContent", TimeSpan.FromSeconds(30), token);

        Assert.Contains("tok/s", stats?.GetValue<string>() ?? string.Empty);
        string answer = (await browser.EvaluateAsync("document.querySelector('.msg.assistant').textContent", token))!.GetValue<string>();
        Assert.Contains("little girl named Lily", answer);
        Assert.Equal("Once upon a time", (await browser.EvaluateAsync("document.querySelector('.msg.user').textContent", token))!.GetValue<string>());
    }
}
