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

    [Theory]
    [InlineData("Exchange:mailbox/ana@contoso.com", "Exchange", "mailbox/ana@contoso.com")]
    [InlineData("SharePoint:sites/finance/Shared%20Documents", "SharePoint", "sites/finance/Shared%20Documents")]
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
}
