# Applies the synthesized stack with a mocked aws provider and the variables of
# terraform.tfvars.example: Terraform core evaluates every expression offline.

mock_provider "aws" {
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn  = "arn:aws:iam::123456789012:role/GitLabCI20260101000000000000000001"
      name = "GitLabCI20260101000000000000000001"
    }
  }
}

run "article_trust_policy" {
  command = apply

  assert {
    condition = aws_iam_role.gitlab_ci[0].assume_role_policy == jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/gitlab.com" }
        Condition = {
          StringEquals = {
            "gitlab.com:sub" = ["project_path:mygroup/myproject:ref_type:branch:ref:main"]
            "gitlab.com:aud" = ["https://gitlab.com"]
          }
        }
      }]
    })
    error_message = "trust policy differs: ${aws_iam_role.gitlab_ci[0].assume_role_policy}"
  }

  assert {
    condition     = aws_iam_openid_connect_provider.gitlab[0].url == "https://gitlab.com" && aws_iam_openid_connect_provider.gitlab[0].client_id_list == toset(["https://gitlab.com"])
    error_message = "provider url/client ids differ"
  }

  assert {
    condition     = aws_iam_role.gitlab_ci[0].name_prefix == "GitLabCI"
    error_message = "role name_prefix differs from the hand-written setup"
  }

  assert {
    condition     = keys(aws_iam_role_policy_attachment.gitlab_ci) == ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]
    error_message = "attachments are not keyed by policy ARN: ${jsonencode(keys(aws_iam_role_policy_attachment.gitlab_ci))}"
  }

  assert {
    condition     = output.ROLE_ARN == "arn:aws:iam::123456789012:role/GitLabCI20260101000000000000000001"
    error_message = "ROLE_ARN output differs"
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/gitlab.com"
    error_message = "oidc_provider_arn output differs"
  }
}

# IAM ANDs condition operators: a key under both StringEquals and StringLike would need a
# token equal to one value and like another. All of a key's values go under one operator.
run "a_key_with_a_wildcard_value_goes_wholly_under_string_like" {
  command = apply

  variables {
    mygitlab             = "https://gitlab.example.com/"
    mygitlab_aud_value   = "https://gitlab.example.com"
    mygitlab_match_value = ["project_path:mygroup/myproject:ref_type:branch:ref:main", "project_path:mygroup/*:ref_type:tag:ref:v*"]
    mygitlab_match_value1 = ["https://gitlab.example.com"]
  }

  assert {
    condition = jsondecode(aws_iam_role.gitlab_ci[0].assume_role_policy).Statement[0].Condition == {
      StringEquals = {
        "gitlab.example.com:aud" = ["https://gitlab.example.com"]
      }
      StringLike = {
        "gitlab.example.com:sub" = ["project_path:mygroup/myproject:ref_type:branch:ref:main", "project_path:mygroup/*:ref_type:tag:ref:v*"]
      }
    }
    error_message = "conditions differ: ${jsonencode(jsondecode(aws_iam_role.gitlab_ci[0].assume_role_policy).Statement[0].Condition)}"
  }

  assert {
    condition     = jsonencode(output.trust_conditions["gitlab_ci"]) == jsonencode(jsondecode(aws_iam_role.gitlab_ci[0].assume_role_policy).Statement[0].Condition)
    error_message = "trust_conditions does not show the applied Condition block: ${jsonencode(output.trust_conditions)}"
  }
}
