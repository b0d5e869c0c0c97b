using LockboxPortal.Features.AccessRequests;

namespace LockboxPortal.Tests.AccessRequests;

/// <summary>Strict parsing of scopes, so a prefix match can never reach a resource nobody approved.</summary>
public class ResourceScopeTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Exchange")]
    [InlineData("Exchange:")]
    [InlineData(":mailbox/ana")]
    [InlineData("Exchange:mailbox//ana")]
    [InlineData("Exchange:/mailbox/ana")]
    [InlineData("Exchange:mailbox/ana/")]
    [InlineData("Exchange:mailbox/./ana")]
    [InlineData("Exchange:mailbox/ana/..")]
    [InlineData("Exchange:mailbox/ana/../bob")]
    [InlineData("Exchange:.")]
    [InlineData("Exchange:..")]
    [InlineData("Exchange:mailbox/ana smith")]
    [InlineData("Exchange:mailbox/ana\tsmith")]
    [InlineData("Exchange:mailbox/ana\u00a0smith")]
    [InlineData("Exchange:mailbox/ana\n")]
    [InlineData("Ex change:mailbox/ana")]
    [InlineData(" Exchange:mailbox/ana")]
    [InlineData("Exchange:mailbox/ana\u0000")]
    public void TryParse_RefusesEmptyDotSegmentsAndWhitespace(string? text)
    {
        var parsed = ResourceScope.TryParse(text, out var scope, out var error);

        Assert.False(parsed);
        Assert.Null(scope);
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Throws<FormatException>(() => ResourceScope.Parse(text!));
    }

    [Fact]
    public void TryParse_RefusesOverlongScope()
    {
        var text = "Exchange:" + new string('a', ResourceScope.MaxLength);

        Assert.False(ResourceScope.TryParse(text, out _, out _));
    }

    /// <summary>
    /// Finding 6 of the outside test: every lookalike of a traversal, percent-encoding, wildcards and hidden
    /// characters is refused with a message saying why. (The grammar used to accept <c>%20</c>; percent-encoding is
    /// now refused outright, so an encoded <c>%2e%2e</c> can never be decoded into a traversal downstream.)
    /// </summary>
    [Theory]
    [InlineData("Exchange:mailbox/ana/%2e%2e/bob", "percent")]
    [InlineData("Exchange:mailbox/ana/.%2e/bob", "percent")]
    [InlineData("Exchange:mailbox/ana/%2E%2E", "percent")]
    [InlineData("SharePoint:sites/finance/Shared%20Documents", "percent")]
    [InlineData("Exchange:mailbox/ana/..\\bob", "backslash")]
    [InlineData("Exchange:mailbox\\ana", "backslash")]
    [InlineData("Exchange:mailbox/ana/\uff0e\uff0e/bob", "lookalike")]
    [InlineData("Exchange:mailbox/ana/\uff0e", "lookalike")]
    [InlineData("Exchange:mailbox/ana/\u2025/bob", "lookalike")]
    [InlineData("Exchange:mailbox/ana/\u2024\u2024", "lookalike")]
    [InlineData("Exchange:mailbox/ana\uff0fbob", "lookalike")]
    [InlineData("Exchange:mailbox/jo\u0301zef@contoso.com", "lookalike")]
    [InlineData("Exchange:mailbox/ana/\ufe52\ufe52/bob", "lookalike")]
    [InlineData("Exchange:mailbox/ana/.../bob", "'..'")]
    [InlineData("Exchange:mailbox/*", "'*'")]
    [InlineData("Exchange:mailbox/ana*", "'*'")]
    [InlineData("Exchange:mailbox/ana?x", "'?'")]
    [InlineData("Exchange:mailbox/ana#x", "'#'")]
    [InlineData("Exchange:mailbox/ana:bob", "':'")]
    [InlineData("Exchange:mailbox/\u202Emoc.osotnoc@ana", "\\u202E")]
    [InlineData("Exchange:mailbox/ana\u200B@contoso.com", "\\u200B")]
    [InlineData("Exchange:mailbox/ana\u2066x\u2069", "\\u2066")]
    [InlineData("Exchange:mailbox/ana\u200D", "\\u200D")]
    [InlineData("Exchange:mailbox/ana\uFEFF", "\\uFEFF")]
    [InlineData("Exchange:mailbox/ana\u2060", "\\u2060")]
    [InlineData("Exchange:mailbox/ana\u3164", "\\u3164")]
    [InlineData("Exchange:mailbox/ana\u2028", "\\u2028")]
    [InlineData("Exchange:mailbox/ana\u007F", "\\u007F")]
    [InlineData("\u202EExchange:mailbox/ana", "\\u202E")]
    [InlineData(".:mailbox/ana", "workload")]
    [InlineData("..:mailbox/ana", "workload")]
    [InlineData("Exch\u0430nge:mailbox/ana", "workload")]
    public void TryParse_RefusesLookalikeTraversalEncodingWildcardsAndHiddenCharacters(string text, string why)
    {
        Assert.False(ResourceScope.TryParse(text, out var scope, out var error));

        Assert.Null(scope);
        Assert.Contains(why, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Exchange:mailbox/ana@contoso.com", "Exchange", "mailbox/ana@contoso.com")]
    [InlineData("SharePoint:sites/finance/Shared_Documents", "SharePoint", "sites/finance/Shared_Documents")]
    [InlineData("Exchange:mailbox/o'brien+tag@contoso.com", "Exchange", "mailbox/o'brien+tag@contoso.com")]
    [InlineData("Exchange:mailbox/j\u00f3zef@contoso.com", "Exchange", "mailbox/j\u00f3zef@contoso.com")]
    [InlineData("Sql:db/orders.v2/table..name", "Sql", "db/orders.v2/table..name")]
    [InlineData("Azure_Blob-1.x:container", "Azure_Blob-1.x", "container")]
    public void TryParse_AcceptsWorkloadAndResource(string text, string workload, string resource)
    {
        Assert.True(ResourceScope.TryParse(text, out var scope, out var error));

        Assert.Null(error);
        Assert.Equal(workload, scope.Workload);
        Assert.Equal(resource, scope.Resource);
        Assert.Equal(text, scope.ToString());
    }

    /// <summary>A lone surrogate (built here: theory data would turn it into U+FFFD on the way) is named, escaped.</summary>
    [Fact]
    public void TryParse_RefusesALoneSurrogate_NamingIt()
    {
        var text = "Exchange:mailbox/ana" + (char)0xD800;

        Assert.False(ResourceScope.TryParse(text, out _, out var error));
        Assert.Contains("\\uD800", error, StringComparison.Ordinal);
    }
}
