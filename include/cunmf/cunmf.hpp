// Umbrella header of cuNMF's host API.
#pragma once

#include "checkpoint.hpp"
#include "errors.hpp"
#include "factorize.hpp"
#include "graph.hpp"
#include "io.hpp"
#include "matrix.hpp"
#include "metrics.hpp"
#include "options.hpp"
#include "sparse.hpp"
#include "version.hpp"
