# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/argoproj-labs/argocd" {
  version     = "7.12.5"
  constraints = "7.12.5"
  hashes = [
    "h1:OmKKvRhG1oV/1mdmrO1JHGrhKgwfWxJ/X9ry0gQzWMs=",
  ]
}

provider "registry.terraform.io/digitalocean/digitalocean" {
  version     = "2.71.0"
  constraints = "2.71.0"
  hashes = [
    "h1:UEECm4xpXkGfrUokp/TBS+EKCkaw43NoPemKI5W1LzU=",
  ]
}

provider "registry.terraform.io/hashicorp/aws" {
  version     = "6.58.0"
  constraints = "6.58.0"
  hashes = [
    "h1:6/LSm96SJSNYB+LEqNwuFaS5zLKI+Uc5peNHBEf+G8U=",
  ]
}

provider "registry.terraform.io/hashicorp/azurerm" {
  version     = "4.81.0"
  constraints = "4.81.0"
  hashes = [
    "h1:xEBEy6ZtMzpfdOUqzZwjPd46rXSvCZYryf7xe7g1Rwg=",
  ]
}

provider "registry.terraform.io/hashicorp/google" {
  version     = "7.45.0"
  constraints = "7.45.0"
  hashes = [
    "h1:+LAHCNeK91kccvZXRouSK/9Kqe8A2eAbpfeFnVDPztE=",
  ]
}

provider "registry.terraform.io/hashicorp/helm" {
  version     = "3.1.1"
  constraints = "3.1.1"
  hashes = [
    "h1:7sKnZaV7dYrkTaXil2fJ14DiV0fYBAzudI9od7akjdw=",
  ]
}

provider "registry.terraform.io/hashicorp/kubernetes" {
  version     = "2.38.0"
  constraints = "2.38.0"
  hashes = [
    "h1:PaSX6cpT8QuedtnYS7Ciz/Kzdl/9HnZcWyc0FrozfiA=",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version     = "3.7.2"
  constraints = "3.7.2"
  hashes = [
    "h1:KM6u5KoL6Al1489NkdwF9aaXY4DTQVLxedTHMJm8GUg=",
  ]
}
