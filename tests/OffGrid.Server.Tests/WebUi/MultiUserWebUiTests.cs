using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using OffGrid.Governance.Users;
using OffGrid.Server.Tests.Governance;
using OffGrid.Testing.Browser;
using static Microsoft.Playwright.Assertions;

namespace OffGrid.Server.Tests.WebUi;

/// <summary>
/// The web UI of a multi-user server: without a key it says what is missing; with one, pasted or got by signing in with
/// a password, it lists models and chats.
/// </summary>
public sealed class MultiUserWebUiTests(MultiUserServer server) : IClassFixture<MultiUserServer>
{
    [Fact]
    public async Task TheKeyFieldUnlocksTheModels()
    {
        Assert.SkipUnless(ChromiumPage.IsInstalled, "Debian's chromium is not installed (eng/test.sh installs it).");
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(server.BaseUri);
        IPage page = browser.Page;

        await Expect(page.Locator("#empty")).ToContainTextAsync("API key");
        Assert.StartsWith("This route needs an API key", await page.Locator("#empty").TextContentAsync(), StringComparison.Ordinal);

        await ChatPage.EnterKeyAsync(page, server.UserKey);
        await ChatPage.WaitForModelAsync(page, "stories");

        Assert.Contains("tok/s", await ChatPage.SendAsync(page, "stories", "Once upon a time", maxTokens: 8, temperature: 0.7));
        Assert.Equal(server.UserKey, await StoredKeyAsync(page));
    }

    [Fact]
    public async Task SigningInWithAPasswordGivesTheBrowserAKey()
    {
        Assert.SkipUnless(ChromiumPage.IsInstalled, "Debian's chromium is not installed (eng/test.sh installs it).");
        await server.AddUserAsync("dora", UserRole.User, "correct horse battery");
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(server.BaseUri);
        IPage page = browser.Page;

        await page.Locator("#signInOpen").ClickAsync();
        await page.Locator("#username").FillAsync("dora");
        await page.Locator("#password").FillAsync("wrong password");
        await page.Locator("#signInSubmit").ClickAsync();
        await Expect(page.Locator("#signInError")).ToHaveTextAsync("The user name or password is incorrect.");
        Assert.Null(await StoredKeyAsync(page));

        // The dialog stays open after a refusal: the person corrects the password and tries again.
        await page.Locator("#password").FillAsync("correct horse battery");
        await page.Locator("#signInSubmit").ClickAsync();
        await ChatPage.WaitForModelAsync(page, "stories");
        await Expect(page.Locator("#signIn")).ToBeHiddenAsync();
        await Expect(page.Locator("#password")).ToHaveValueAsync(string.Empty);

        // The key the page keeps is a real one for dora: the API accepts it.
        string key = (await StoredKeyAsync(page))!;
        using HttpClient http = server.Client(key);
        (HttpResponseMessage response, JsonElement body) = await MultiUserServer.SendAsync(http, HttpMethod.Get, "/v1/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(body.GetProperty("data").EnumerateArray(), k => k.GetProperty("user").GetString() == "dora" && k.GetProperty("name").GetString() == "sign-in");
    }

    [Fact]
    public async Task TheKeysDialogCreatesListsAndRevokesTheUsersOwnKeys()
    {
        Assert.SkipUnless(ChromiumPage.IsInstalled, "Debian's chromium is not installed (eng/test.sh installs it).");
        string key = await server.AddUserAsync("erin", UserRole.User);
        await using ChromiumPage browser = await ChromiumPage.OpenAsync(server.BaseUri);
        IPage page = browser.Page;
        await ChatPage.EnterKeyAsync(page, key);

        await page.Locator("#keysOpen").ClickAsync();
        ILocator rows = page.Locator("#keyRows tr");
        await Expect(rows).ToHaveCountAsync(1);
        Assert.Equal($"test|{key[..15]} (this browser)|active|never", await RowAsync(rows.First));

        await page.Locator("#keyName").FillAsync("laptop");
        await page.Locator("#keyDays").FillAsync("30");
        await page.Locator("#keyCreate").ClickAsync();
        await Expect(page.Locator("#newKey")).ToBeVisibleAsync();
        string shown = await page.Locator("#newKey").TextContentAsync() ?? string.Empty;
        string created = shown[(shown.LastIndexOf(' ') + 1)..];
        Assert.StartsWith("og_", created, StringComparison.Ordinal);
        ILocator laptopRow = rows.Filter(new() { HasTextString = "laptop" });
        await Expect(rows).ToHaveCountAsync(2);
        string expires = DateTimeOffset.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"laptop|{created[..15]}|active|{expires}", await RowAsync(laptopRow));

        // The key shown works against the API until it is revoked from the dialog.
        using HttpClient laptop = server.Client(created);
        Assert.Equal(HttpStatusCode.OK, (await MultiUserServer.SendAsync(laptop, HttpMethod.Get, "/v1/models")).Response.StatusCode);
        await laptopRow.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(laptopRow.Locator("td").Nth(2)).ToHaveTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await MultiUserServer.SendAsync(laptop, HttpMethod.Get, "/v1/models")).Response.StatusCode);

        // Revoking the key the browser itself uses signs it out.
        await rows.Filter(new() { HasTextString = "(this browser)" }).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.Locator("#signInOpen")).ToBeVisibleAsync();
        Assert.Equal(string.Empty, await StoredKeyAsync(page));
        using HttpClient revoked = server.Client(key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MultiUserServer.SendAsync(revoked, HttpMethod.Get, "/v1/models")).Response.StatusCode);
    }

    private static Task<string?> StoredKeyAsync(IPage page) => page.EvaluateAsync<string?>("localStorage.getItem('offgrid.apiKey')");

    /// <summary>A row of the keys table as name|id|status|expires.</summary>
    private static async Task<string> RowAsync(ILocator row) =>
        string.Join('|', (await row.Locator("td").AllTextContentsAsync()).Take(4));
}
