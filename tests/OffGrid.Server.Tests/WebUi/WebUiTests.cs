using Microsoft.Playwright;
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
        Assert.SkipUnless(ChromiumPage.IsInstalled, "Debian's chromium is not installed (eng/test.sh installs it).");
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(_server.BaseUri);
        IPage page = browser.Page;

        await ChatPage.WaitForModelAsync(page, "stories");

        Assert.Contains("tok/s", await ChatPage.SendAsync(page, "stories", "Once upon a time", maxTokens: 16, temperature: 0));
        Assert.Contains("little girl named Lily", await page.Locator(".msg.assistant").TextContentAsync());
        Assert.Equal("Once upon a time", await page.Locator(".msg.user").TextContentAsync());
    }
}
