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

        Assert.Contains("stories", await ChatPage.WaitForModelsAsync(browser, token));

        Assert.Contains("tok/s", await ChatPage.SendAsync(browser, "stories", "Once upon a time", maxTokens: 16, temperature: 0, token));
        string answer = (await browser.EvaluateAsync("document.querySelector('.msg.assistant').textContent", token))!.GetValue<string>();
        Assert.Contains("little girl named Lily", answer);
        Assert.Equal("Once upon a time", (await browser.EvaluateAsync("document.querySelector('.msg.user').textContent", token))!.GetValue<string>());
    }
}
