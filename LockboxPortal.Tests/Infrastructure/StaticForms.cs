using System.Net;
using System.Text.RegularExpressions;

namespace LockboxPortal.Tests.Infrastructure;

/// <summary>Posts a static server-rendered form the way a browser does: read the page's antiforgery token, then post.</summary>
public static partial class StaticForms
{
    /// <summary>Reads <paramref name="url"/>'s token and posts the form there, or to <paramref name="action"/> when the form posts elsewhere.</summary>
    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient client, string url, string formName, IReadOnlyDictionary<string, string> fields, string? action = null)
    {
        var page = await client.GetStringAsync(url);
        var body = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups[1].Value),
        };
        if (formName.Length > 0)
        {
            body["_handler"] = formName;
        }

        return await client.PostAsync(action ?? url, new FormUrlEncodedContent(body));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
